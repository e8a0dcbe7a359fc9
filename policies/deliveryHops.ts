/**
 * Every hop an event takes after S3 — topic → queue, topic → function, EventBridge rule → queue,
 * topic or function — needs a grant to the service that delivers it, scoped (when scoped at all)
 * to the source that sends. Without one, the service's delivery is refused and the event is lost:
 * SNS drops the message for that subscription, EventBridge retries and then drops (or dead-letters)
 * the event. (S3's own hop, bucket → destination, is checked by
 * s3-notification-depends-on-destination-access, as S3 refuses such a configuration outright.)
 */
import { coversAction, globMatch, grantsService, parsePolicy } from "./iamPolicy";
import { isUnknown, label, ResourceRecord, str } from "./records";
import { StackIndex, Violation } from "./stack";
import { T } from "./types";
import { stackPolicy } from "./policy";

/** A delivering service and what it calls on each kind of target. */
const SERVICES = {
  sns: { principal: "sns.amazonaws.com", name: "SNS" },
  events: { principal: "events.amazonaws.com", name: "EventBridge" },
} as const;

type Service = (typeof SERVICES)[keyof typeof SERVICES];

const ACTIONS: Record<string, string> = {
  [T.queue]: "sqs:SendMessage",
  [T.topic]: "sns:Publish",
  [T.function]: "lambda:InvokeFunction",
};

/** The documents that govern who may send to a queue or publish to a topic: its own `policy` and its separate policies. */
function documentsOf(stack: StackIndex, target: ResourceRecord): unknown[] {
  if (target.type === T.queue)
    return [
      target.props.policy,
      ...stack.referrers(target, T.queuePolicy, "queueUrl", [T.queue]).map((p) => p.props.policy),
    ];
  return [
    target.props.policy,
    ...stack.referrers(target, T.topicPolicy, "arn", [T.topic]).map((p) => p.props.policy),
  ];
}

/** The service principals a document lets perform `action` (for the message when the wrong one is admitted). */
function admittedServices(doc: unknown, action: string): string[] {
  return (parsePolicy(doc) ?? []).flatMap((s) =>
    s.effect === "Allow" && !s.notPrincipal && s.principal && s.principal !== "*" && coversAction(s, action)
      ? (s.principal.Service ?? [])
      : [],
  );
}

/**
 * Whether `service` may deliver to `target` for `sourceArn`: true, false, or "unknown" when a
 * governing document or permission is not known yet.
 */
function granted(
  stack: StackIndex,
  target: ResourceRecord,
  service: Service,
  sourceArn: string | undefined,
): { ok: boolean | "unknown"; admitted: string[] } {
  const action = ACTIONS[target.type];
  if (target.type === T.function) {
    const permissions = stack.referrers(target, T.permission, "function", [T.function]);
    const admitted: string[] = [];
    for (const p of permissions) {
      const principal = p.props.principal;
      const act = str(p.props.action)?.toLowerCase();
      const src = p.props.sourceArn;
      if (isUnknown(principal) || isUnknown(p.props.action) || isUnknown(src))
        return { ok: "unknown", admitted };
      if (act !== "lambda:invokefunction" && act !== "lambda:*") continue;
      if (str(principal) !== service.principal) {
        if (str(principal)) admitted.push(str(principal) as string);
        continue;
      }
      const s = str(src);
      if (s === undefined || sourceArn === undefined || globMatch(s, sourceArn))
        return { ok: true, admitted };
    }
    return { ok: false, admitted };
  }
  const docs = documentsOf(stack, target).filter((d) => d !== undefined && d !== null && d !== "");
  if (docs.some(isUnknown)) return { ok: "unknown", admitted: [] };
  const ok = docs.some((d) =>
    (parsePolicy(d) ?? []).some((s) => grantsService(s, service.principal, action, sourceArn)),
  );
  return { ok, admitted: [...new Set(docs.flatMap((d) => admittedServices(d, action)))] };
}

/** How the fix reads for a target kind. */
function fixFor(target: ResourceRecord, service: Service, source: string): string {
  if (target.type === T.function)
    return (
      `Add an aws.lambda.Permission for the function with action "lambda:InvokeFunction", principal "${service.principal}" ` +
      `and sourceArn ${source}`
    );
  const [resource, action] =
    target.type === T.queue
      ? ["aws.sqs.QueuePolicy", "sqs:SendMessage"]
      : ["aws.sns.TopicPolicy", "sns:Publish"];
  return (
    `Add an ${resource} for it with a statement allowing the ${service.principal} service principal ${action}, ` +
    `with an ArnEquals condition on aws:SourceArn for ${source}`
  );
}

function hopViolation(
  from: ResourceRecord,
  hop: ResourceRecord,
  target: ResourceRecord,
  service: Service,
  admitted: string[],
  loss: string,
): Violation {
  const action = ACTIONS[target.type];
  const what =
    target.type === T.function
      ? `lets ${service.principal} invoke it`
      : `lets ${service.principal} call ${action} on it`;
  const others = admitted.filter((a) => a !== service.principal);
  return {
    urn: hop.urn,
    message:
      `${label(hop)} delivers from ${label(from)} to ${label(target)}, but nothing in the stack ${what}` +
      (others.length > 0
        ? ` (its ${target.type === T.function ? "permissions admit" : "policy admits"} only ${[...new Set(others)].join(", ")})`
        : "") +
      `: ${service.name} cannot deliver, and ${loss}. ${fixFor(target, service, `the ${label(from)} ARN`)}.`,
  };
}

/** Subscriptions and rule targets whose delivering service has no grant on their target. */
export function undeliverableHopViolations(stack: StackIndex): Violation[] {
  const out: Violation[] = [];
  for (const sub of stack.ofType(T.topicSubscription)) {
    const protocol = str(sub.props.protocol);
    const targetTypes = protocol === "sqs" ? [T.queue] : protocol === "lambda" ? [T.function] : undefined;
    if (!targetTypes) continue;
    const topics = stack.resolve(sub, "topic", sub.props.topic, [T.topic]);
    const targets = stack.resolve(sub, "endpoint", sub.props.endpoint, targetTypes);
    for (const topic of topics) {
      for (const target of targets) {
        const { ok, admitted } = granted(stack, target, SERVICES.sns, str(topic.props.arn));
        if (ok !== false) continue;
        out.push(
          hopViolation(
            topic,
            sub,
            target,
            SERVICES.sns,
            admitted,
            "every message published to the topic is lost for this subscription",
          ),
        );
      }
    }
  }
  for (const t of stack.ofType(T.eventTarget)) {
    const targets = stack.resolve(t, "arn", t.props.arn, [T.queue, T.topic, T.function]);
    if (targets.length === 0) continue;
    const rules = stack.resolve(t, "rule", t.props.rule, [T.eventRule]);
    for (const target of targets) {
      const sources = rules.length > 0 ? rules : [undefined];
      for (const rule of sources) {
        const { ok, admitted } = granted(
          stack,
          target,
          SERVICES.events,
          rule ? str(rule.props.arn) : undefined,
        );
        if (ok !== false) continue;
        out.push(
          hopViolation(
            rule ?? t,
            t,
            target,
            SERVICES.events,
            admitted,
            "every event the rule matches fails to reach it and, after EventBridge's retries, is dropped (or parked in the target's dead-letter queue)",
          ),
        );
      }
    }
  }
  return out;
}

/** Checks whether every SNS subscription and EventBridge target the stack wires can deliver. */
export const eventDeliveryHopPermitted = stackPolicy(
  {
    name: "event-delivery-hop-permitted",
    description:
      "Checks whether every hop the stack wires after S3 (aws.sns.TopicSubscription to an SQS queue or Lambda function, aws.cloudwatch.EventTarget to a queue, topic or function) has a grant to the delivering service principal (sns.amazonaws.com, events.amazonaws.com) whose aws:SourceArn, when set, admits the source; without it every event on that hop is lost.",
    enforcementLevel: "mandatory",
  },
  undeliverableHopViolations,
);
