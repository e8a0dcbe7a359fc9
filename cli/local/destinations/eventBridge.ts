/**
 * EventBridge, locally: an event (S3's object events, CloudTrail's bucket calls) matched against
 * every rule with the product's pattern matcher, and sent to each matching rule's targets — as the
 * event, or as what the target's input transformer makes of it.
 */
import { matchesPattern } from "../../../model/eventPattern";
import { applyInputTransformer } from "../../../model/inputTransformer";
import type { EventBridgeEvent } from "../envelopes";
import type { LocalRule, LocalRuleTarget } from "../topology";
import { destinationOf, Destinations, LoopContext } from "./delivery";

/** The stack's EventBridge rules. */
export class EventBridgeRules {
  constructor(
    private readonly ctx: LoopContext,
    private readonly to: Destinations,
  ) {}

  /** The rules whose pattern matches `event`. */
  matching(event: EventBridgeEvent): LocalRule[] {
    return this.ctx.topology.rules.filter((r) => matchesPattern(r.pattern, event));
  }

  /**
   * Sends `event` to every target of `rule`.
   *
   * @param tag - the tag of the event.
   * @param rule - a rule it matched.
   * @param event - the event.
   */
  async deliver(tag: string, rule: LocalRule, event: EventBridgeEvent): Promise<void> {
    const route = this.ctx.topology.routes.find(
      (r) => r.delivery === "eventbridge" && `${r.bucket}-${r.route}` === rule.name,
    );
    const via = route ? `route ${route.route}` : `rule ${rule.name}`;
    await Promise.all(
      rule.targets.map((target) => this.deliverTarget(tag, via, route?.target, rule, target, event)),
    );
  }

  private async deliverTarget(
    tag: string,
    via: string,
    label: string | undefined,
    rule: LocalRule,
    target: LocalRuleTarget,
    event: EventBridgeEvent,
  ): Promise<void> {
    const destination = destinationOf(this.to, target.arn);
    if (!destination) return this.ctx.fail(tag, `${via}: target ${target.arn} is not simulated locally`);
    const body = target.inputTransformer
      ? applyInputTransformer(target.inputTransformer, event)
      : JSON.stringify(event);
    const shape = `EventBridge "${event["detail-type"]}", rule ${rule.name}${target.inputTransformer ? ", input transformer" : ""}`;
    await destination.deliver(target.arn, {
      tag,
      via,
      shape,
      body,
      ...(label !== undefined ? { label } : {}),
      ...(target.deadLetterArn !== undefined ? { deadLetterArn: target.deadLetterArn } : {}),
    });
  }
}
