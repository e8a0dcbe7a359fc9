/**
 * Policies for events that would be lost, or handled twice, once deployed: keys S3 cannot use,
 * queues without dead-letter queues or with too short a visibility timeout, batches that fail as a
 * whole, EventBridge targets and asynchronous Lambda invocations with nowhere to put a failed event.
 */
import * as aws from "@pulumi/aws";
import { grantsService, parsePolicy } from "./iamPolicy";
import { entryDestinations, notifications } from "./links";
import { notificationEntries } from "./notifications";
import { at, isAbsent, isUnknown, label, list, num, obj, ResourceRecord, str } from "./records";
import { StackIndex, Violation } from "./stack";
import { T } from "./types";
import { resourcePolicy, stackPolicy } from "./policy";

/** Each queue and topic the stack's notifications deliver to, with the first notification delivering there. */
function notifiedDestinations(stack: StackIndex): { dest: ResourceRecord; n: ResourceRecord }[] {
  const out: { dest: ResourceRecord; n: ResourceRecord }[] = [];
  const seen = new Set<ResourceRecord>();
  for (const { n } of notifications(stack)) {
    for (const e of notificationEntries(n.props)) {
      if (e.kind === "lambda") continue;
      for (const dest of entryDestinations(stack, n, e)) {
        if (seen.has(dest)) continue;
        seen.add(dest);
        out.push({ dest, n });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// s3-destination-kms-key-usable

/** True for AWS-managed key references: `alias/aws/sqs`, `alias/aws/sns`, or an ARN holding `alias/aws/`. */
export function isAwsManagedKeyRef(ref: string): boolean {
  return ref.startsWith("alias/aws/") || ref.includes(":alias/aws/");
}

/** The in-stack KMS key a `kmsMasterKeyId` refers to (directly, or through an in-stack alias). */
function keyOf(stack: StackIndex, dest: ResourceRecord): ResourceRecord | undefined {
  const ref = dest.props.kmsMasterKeyId;
  const direct = stack.resolve(dest, "kmsMasterKeyId", ref, [T.kmsKey]);
  if (direct.length > 0) return direct[0];
  for (const alias of stack.resolve(dest, "kmsMasterKeyId", ref, [T.kmsAlias])) {
    const target = stack.resolve(alias, "targetKeyId", alias.props.targetKeyId, [T.kmsKey]);
    if (target.length > 0) return target[0];
  }
  return undefined;
}

/** The key policy in force for an in-stack key: an aws.kms.KeyPolicy for it, else the key's own `policy`. */
function keyPolicyOf(stack: StackIndex, key: ResourceRecord): unknown {
  const separate = stack.referrers(key, T.kmsKeyPolicy, "keyId", [T.kmsKey])[0];
  return separate ? separate.props.policy : key.props.policy;
}

const S3_KMS_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;

/** Queues and topics that notifications deliver to whose KMS key S3 cannot use. */
export function unusableKeyViolations(stack: StackIndex): Violation[] {
  const out: Violation[] = [];
  for (const { dest, n } of notifiedDestinations(stack)) {
    const ref = dest.props.kmsMasterKeyId;
    if (isAbsent(ref)) continue;
    const role = `${label(dest)} (a destination of ${label(n)})`;
    if (typeof ref === "string" && isAwsManagedKeyRef(ref)) {
      out.push({
        urn: dest.urn,
        message:
          `${role} is encrypted with the AWS-managed key "${ref}", whose key policy cannot be changed to let ` +
          `s3.amazonaws.com use it: S3 cannot encrypt its messages and drops them without an error. Use a ` +
          `customer-managed aws.kms.Key whose key policy lets s3.amazonaws.com call kms:GenerateDataKey* and kms:Decrypt` +
          (dest.type === T.queue ? `, or SSE-SQS (sqsManagedSseEnabled) instead of KMS.` : `.`),
      });
      continue;
    }
    const key = keyOf(stack, dest);
    if (!key) continue; // a key outside the stack: its policy cannot be read here
    const doc = keyPolicyOf(stack, key);
    if (isUnknown(doc)) continue;
    const statements = parsePolicy(doc) ?? [];
    const missing = S3_KMS_ACTIONS.filter(
      (a) => !statements.some((s) => grantsService(s, "s3.amazonaws.com", a)),
    );
    if (missing.length === 0) continue;
    out.push({
      urn: dest.urn,
      message:
        `${role} is encrypted with ${label(key)}, whose key policy does not let s3.amazonaws.com call ` +
        `${missing.map((a) => (a === "kms:GenerateDataKey" ? "kms:GenerateDataKey*" : a)).join(" or ")}: S3 cannot encrypt ` +
        `its messages and drops them without an error. Add a key policy statement allowing the s3.amazonaws.com service ` +
        `principal kms:GenerateDataKey* and kms:Decrypt (with aws:SourceArn and aws:SourceAccount conditions).`,
    });
  }
  return out;
}

/** Checks whether the KMS key of every encrypted queue or topic a bucket notification delivers to can be used by S3. */
export const s3DestinationKmsKeyUsable = stackPolicy(
  {
    name: "s3-destination-kms-key-usable",
    description:
      "Checks whether every encrypted SQS queue or SNS topic an aws.s3.BucketNotification delivers to uses a customer-managed KMS key whose key policy lets s3.amazonaws.com call kms:GenerateDataKey* and kms:Decrypt (AWS-managed keys silently drop S3's messages).",
    enforcementLevel: "mandatory",
  },
  unusableKeyViolations,
);

// ---------------------------------------------------------------------------------------------
// sqs-queue-dead-letter-queue

/** The queues that receive S3 events or feed a Lambda function, with what makes them so. */
function consumedQueues(stack: StackIndex): { queue: ResourceRecord; why: string }[] {
  const out: { queue: ResourceRecord; why: string }[] = [];
  const seen = new Set<ResourceRecord>();
  for (const { dest, n } of notifiedDestinations(stack)) {
    if (dest.type !== T.queue) continue;
    seen.add(dest);
    out.push({ queue: dest, why: `receives S3 events from ${label(n)}` });
  }
  for (const m of stack.ofType(T.eventSourceMapping)) {
    for (const queue of stack.resolve(m, "eventSourceArn", m.props.eventSourceArn, [T.queue])) {
      if (seen.has(queue)) continue;
      seen.add(queue);
      out.push({ queue, why: `is consumed by ${label(m)}` });
    }
  }
  return out;
}

/** A redrive policy as SQS stores it, or undefined / unknown. */
function parseRedrive(v: unknown): { maxReceiveCount?: number; target?: string } | "unknown" | undefined {
  if (isUnknown(v)) return "unknown";
  let value: unknown = v;
  if (typeof v === "string") {
    if (v === "") return undefined;
    try {
      value = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  const o = obj(value);
  if (!o) return undefined;
  if (isUnknown(o.deadLetterTargetArn) || isUnknown(o.maxReceiveCount)) return "unknown";
  const target = str(o.deadLetterTargetArn);
  if (!target) return undefined;
  return { target, maxReceiveCount: num(o.maxReceiveCount) };
}

/** Queues that receive S3 events or feed a function without a dead-letter queue. */
export function deadLetterViolations(stack: StackIndex): Violation[] {
  const out: Violation[] = [];
  for (const { queue, why } of consumedQueues(stack)) {
    const found = redrivesOf(stack, queue);
    if (found === "unknown" || found.length > 0) continue;
    out.push({
      urn: queue.urn,
      message:
        `${label(queue)} ${why} but has no dead-letter queue: a message its consumer keeps failing on is received ` +
        `again and again until the retention period ends, then deleted. Set redrivePolicy (deadLetterTargetArn a second ` +
        `queue, maxReceiveCount at least 5) or add an aws.sqs.RedrivePolicy for it.`,
    });
  }
  return out;
}

/** The redrive policies in force for a queue (its own, and aws.sqs.RedrivePolicy resources), or "unknown". */
function redrivesOf(
  stack: StackIndex,
  queue: ResourceRecord,
): { maxReceiveCount?: number; target?: string }[] | "unknown" {
  const policies = [
    queue.props.redrivePolicy,
    ...stack.referrers(queue, T.redrivePolicy, "queueUrl", [T.queue]).map((p) => p.props.redrivePolicy),
  ].map(parseRedrive);
  if (policies.includes("unknown")) return "unknown";
  return policies.filter(
    (p): p is { maxReceiveCount?: number; target?: string } => p !== undefined && p !== "unknown",
  );
}

/** Checks whether every queue that receives S3 events or feeds a function has a dead-letter queue. */
export const sqsQueueDeadLetterQueue = stackPolicy(
  {
    name: "sqs-queue-dead-letter-queue",
    description:
      "Checks whether every SQS queue that receives S3 events or feeds a Lambda function has a dead-letter queue (redrivePolicy); without one, a message its consumer keeps failing on is deleted when its retention period ends.",
    enforcementLevel: "mandatory",
  },
  deadLetterViolations,
);

/** The configuration of {@link sqsQueueMaxReceiveCount}. */
export interface MaxReceiveCountConfig {
  /** The lowest `maxReceiveCount` accepted. Default 5. */
  minimumMaxReceiveCount?: number;
}

/** Queues that receive S3 events or feed a function whose dead-letter queue takes messages after too few receives. */
export function maxReceiveCountViolations(
  stack: StackIndex,
  config: MaxReceiveCountConfig = {},
): Violation[] {
  const minimum = config.minimumMaxReceiveCount ?? 5;
  const out: Violation[] = [];
  for (const { queue, why } of consumedQueues(stack)) {
    const found = redrivesOf(stack, queue);
    if (found === "unknown" || found.length === 0) continue;
    const count = found[found.length - 1].maxReceiveCount;
    if (count === undefined || count >= minimum) continue;
    out.push({
      urn: queue.urn,
      message:
        `${label(queue)} ${why} and moves messages to its dead-letter queue after maxReceiveCount ${count}, below ` +
        `${minimum}: throttled or briefly failing receives park events in the dead-letter queue unprocessed, to be ` +
        `redriven by hand. Set maxReceiveCount to at least ${minimum}.`,
    });
  }
  return out;
}

/** Checks whether every dead-letter queue of a queue that receives S3 events or feeds a function allows enough receives first. */
export const sqsQueueMaxReceiveCount = stackPolicy(
  {
    name: "sqs-queue-max-receive-count",
    description:
      "Checks whether every SQS queue that receives S3 events or feeds a Lambda function allows at least the configured number of receives (default 5) before moving a message to its dead-letter queue; fewer parks briefly failing messages there unprocessed.",
    enforcementLevel: "advisory",
    configSchema: {
      properties: {
        minimumMaxReceiveCount: { type: "integer", minimum: 1, default: 5 },
      },
    },
  },
  maxReceiveCountViolations,
);

// ---------------------------------------------------------------------------------------------
// sqs-visibility-timeout-covers-consumer

/** The configuration of {@link sqsVisibilityTimeoutCoversConsumer}. */
export interface VisibilityTimeoutConfig {
  /** How many times the consumer's timeout the queue's visibility timeout must be at least. Default 6. */
  visibilityTimeoutMultiple?: number;
}

const LAMBDA_DEFAULT_TIMEOUT = 3;
const SQS_DEFAULT_VISIBILITY = 30;

/** Queues whose visibility timeout is under N times the timeout of the function consuming them. */
export function visibilityViolations(stack: StackIndex, config: VisibilityTimeoutConfig = {}): Violation[] {
  const multiple = config.visibilityTimeoutMultiple ?? 6;
  const out: Violation[] = [];
  for (const m of stack.ofType(T.eventSourceMapping)) {
    const queues = stack.resolve(m, "eventSourceArn", m.props.eventSourceArn, [T.queue]);
    const fns = stack.resolve(m, "functionName", m.props.functionName, [T.function]);
    for (const queue of queues) {
      for (const fn of fns) {
        if (isUnknown(fn.props.timeout) || isUnknown(queue.props.visibilityTimeoutSeconds)) continue;
        const timeout = num(fn.props.timeout) ?? LAMBDA_DEFAULT_TIMEOUT;
        const visibility = num(queue.props.visibilityTimeoutSeconds) ?? SQS_DEFAULT_VISIBILITY;
        const needed = Math.ceil(multiple * timeout);
        if (visibility >= needed) continue;
        out.push({
          urn: queue.urn,
          message:
            `${label(queue)} has a visibility timeout of ${visibility} s, under ${multiple} × the ${timeout} s timeout of ` +
            `${label(fn)}, which consumes it through ${label(m)}: messages reappear while still being processed, so they ` +
            `are handled twice or reach the dead-letter queue unprocessed` +
            (visibility < timeout
              ? ` (and AWS rejects the event source mapping, as the timeout is below the function's)`
              : ``) +
            `. Set visibilityTimeoutSeconds to at least ${needed}.`,
        });
      }
    }
  }
  return out;
}

/** Checks whether every queue's visibility timeout is at least N times its consumer's timeout. */
export const sqsVisibilityTimeoutCoversConsumer = stackPolicy(
  {
    name: "sqs-visibility-timeout-covers-consumer",
    description:
      "Checks whether every SQS queue consumed by a Lambda function (aws.lambda.EventSourceMapping) has a visibility timeout of at least the configured multiple (default 6) of the function's timeout.",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        visibilityTimeoutMultiple: { type: "number", minimum: 1, default: 6 },
      },
    },
  },
  visibilityViolations,
);

// ---------------------------------------------------------------------------------------------
// sqs-event-source-reports-batch-failures

/** The message for an SQS event source mapping that does not report partial batch failures. */
export function batchFailureMessages(r: ResourceRecord): string[] {
  const source = str(r.props.eventSourceArn);
  if (source === undefined || !/^arn:[^:]+:sqs:/.test(source)) return [];
  const types = r.props.functionResponseTypes;
  if (isUnknown(types) || list(types).includes("ReportBatchItemFailures")) return [];
  return [
    `${label(r)} reads SQS queue "${source}" without functionResponseTypes ["ReportBatchItemFailures"]: one failed ` +
      `message fails the whole batch, so the messages that succeeded are processed again and can reach the dead-letter ` +
      `queue with it. Set functionResponseTypes: ["ReportBatchItemFailures"] and return batchItemFailures from the handler.`,
  ];
}

/** Checks whether every SQS event source mapping reports partial batch failures. */
export const sqsEventSourceReportsBatchFailures = resourcePolicy(
  {
    name: "sqs-event-source-reports-batch-failures",
    description:
      'Checks whether every aws.lambda.EventSourceMapping reading an SQS queue sets functionResponseTypes ["ReportBatchItemFailures"].',
    enforcementLevel: "advisory",
  },
  aws.lambda.EventSourceMapping,
  batchFailureMessages,
);

// ---------------------------------------------------------------------------------------------
// eventbridge-target-dead-letter-queue, eventbridge-target-retry-policy

/** The message for an EventBridge target without a dead-letter queue. */
export function targetDeadLetterMessages(r: ResourceRecord): string[] {
  if (!isAbsent(at(r.props, "deadLetterConfig", "arn"))) return [];
  return [
    `${label(r)} has no deadLetterConfig: once EventBridge stops retrying (by default after 24 hours and 185 attempts), ` +
      `the event is dropped. Set deadLetterConfig.arn to an SQS queue whose policy lets events.amazonaws.com send to it.`,
  ];
}

/** Checks whether every EventBridge target has a dead-letter queue. */
export const eventbridgeTargetDeadLetterQueue = resourcePolicy(
  {
    name: "eventbridge-target-dead-letter-queue",
    description:
      "Checks whether every EventBridge target (aws.cloudwatch.EventTarget) has a dead-letter queue (deadLetterConfig.arn).",
    enforcementLevel: "mandatory",
  },
  aws.cloudwatch.EventTarget,
  targetDeadLetterMessages,
);

/** The message for an EventBridge target without an explicit retry policy. */
export function targetRetryMessages(r: ResourceRecord): string[] {
  if (!isAbsent(r.props.retryPolicy)) return [];
  return [
    `${label(r)} has no retryPolicy, so EventBridge applies its default (24 hours, 185 attempts), which may be far ` +
      `longer than the target can use the event. Set retryPolicy (maximumEventAgeInSeconds and maximumRetryAttempts) ` +
      `to what the target can take.`,
  ];
}

/** Checks whether every EventBridge target has an explicit retry policy. */
export const eventbridgeTargetRetryPolicy = resourcePolicy(
  {
    name: "eventbridge-target-retry-policy",
    description:
      "Checks whether every EventBridge target (aws.cloudwatch.EventTarget) sets an explicit retryPolicy.",
    enforcementLevel: "advisory",
  },
  aws.cloudwatch.EventTarget,
  targetRetryMessages,
);

// ---------------------------------------------------------------------------------------------
// s3-lambda-target-on-failure-destination

/** Functions that notifications invoke asynchronously without an on-failure destination or dead-letter queue. */
export function onFailureViolations(stack: StackIndex): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const { n } of notifications(stack)) {
    for (const e of notificationEntries(n.props)) {
      if (e.kind !== "lambda") continue;
      for (const fn of entryDestinations(stack, n, e)) {
        if (seen.has(fn.urn)) continue;
        seen.add(fn.urn);
        if (!isAbsent(at(fn.props, "deadLetterConfig", "targetArn"))) continue;
        const configured = stack
          .referrers(fn, T.functionEventInvokeConfig, "functionName", [T.function])
          .some((c) => !isAbsent(at(c.props, "destinationConfig", "onFailure", "destination")));
        if (configured) continue;
        out.push({
          urn: fn.urn,
          message:
            `${label(fn)} is invoked asynchronously by ${label(n)} but has no on-failure destination: after Lambda's two ` +
            `retries (or up to 6 hours of throttling) the event is discarded. Add an aws.lambda.FunctionEventInvokeConfig ` +
            `for the function with destinationConfig.onFailure.destination (an SQS queue, SNS topic, bucket or function).`,
        });
      }
    }
  }
  return out;
}

/** Checks whether every function a bucket notification invokes has an on-failure destination. */
export const s3LambdaTargetOnFailureDestination = stackPolicy(
  {
    name: "s3-lambda-target-on-failure-destination",
    description:
      "Checks whether every Lambda function an aws.s3.BucketNotification invokes (asynchronously) has an on-failure destination (aws.lambda.FunctionEventInvokeConfig destinationConfig.onFailure) or a dead-letter queue.",
    enforcementLevel: "mandatory",
  },
  onFailureViolations,
);
