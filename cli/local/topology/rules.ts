/** EventBridge rules (object and bucket-call rules alike) and their targets. */
import type { EventPattern } from "../../../model/eventPattern";
import type { InputTransformer } from "../../../model/inputTransformer";
import { record, Recorded, str } from "./recorded";

/** A target of an EventBridge rule. */
export interface LocalRuleTarget {
  /** The logical name. */
  name: string;
  /** The destination's ARN. */
  arn: string;
  /** What the target receives instead of the event, if set. */
  inputTransformer?: InputTransformer;
  /** Where undeliverable events go. */
  deadLetterArn?: string;
}

/** An EventBridge rule. */
export interface LocalRule {
  /** The rule's name. */
  name: string;
  /** Its event pattern. */
  pattern: EventPattern;
  /** Its targets. */
  targets: LocalRuleTarget[];
}

/** Every enabled rule with an event pattern, with its targets. */
export function readRules(recorded: Recorded): LocalRule[] {
  const eventTargets = recorded.of("aws:cloudwatch/eventTarget:EventTarget");
  const rules: LocalRule[] = [];
  for (const r of recorded.of("aws:cloudwatch/eventRule:EventRule")) {
    const pattern = str(r.inputs.eventPattern);
    if (!pattern || r.inputs.state === "DISABLED") continue;
    const ruleName = str(r.state.name) ?? r.name;
    rules.push({
      name: ruleName,
      pattern: JSON.parse(pattern) as EventPattern,
      targets: eventTargets
        .filter((t) => t.inputs.rule === ruleName)
        .map((t) => {
          const transformer = record(t.inputs.inputTransformer);
          const target: LocalRuleTarget = { name: t.name, arn: str(t.inputs.arn) ?? "" };
          if (typeof transformer.inputTemplate === "string") {
            target.inputTransformer = {
              inputPaths: record(transformer.inputPaths) as Record<string, string>,
              inputTemplate: transformer.inputTemplate,
            };
          }
          const dlq = str(record(t.inputs.deadLetterConfig).arn);
          if (dlq) target.deadLetterArn = dlq;
          return target;
        }),
    });
  }
  return rules;
}
