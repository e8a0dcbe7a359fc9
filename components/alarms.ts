/**
 * Alarms for every place an event can fail: messages in any dead-letter queue, handler errors and
 * throttles, rule invocations that failed, API-destination (webhook) deliveries dead-lettered,
 * and failed workflow executions — and for every place an event can wait: the age of the oldest
 * message of each queue, each reference handler's delivery lag (p99), and EventBridge's latency
 * from ingestion to the start of each rule's invocation (p99). Each to one alarm topic. One set
 * per target, not per route.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "./awsContext";
import { BucketEvents } from "./bucketEvents";
import { DeadLetterQueue } from "./deadLetterQueue";
import { EncryptionKey } from "./encryptionKey";
import { EventBucket } from "./eventBucket";
import { LambdaTarget } from "./lambdaTarget";
import { QueueTarget } from "./queueTarget";
import { deliveryLagTarget } from "./referenceHandlers";
import { LAG_METRIC, LAG_NAMESPACE, LAG_SERVICE } from "../handlers/shared/lagMetric";
import { StateMachineTarget } from "./stateMachineTarget";
import { RuleTarget } from "./target";
import { TopicTarget } from "./topicTarget";
import { WebhookTarget } from "./webhookTarget";

/** Arguments of {@link Alarms}. */
export interface AlarmsArgs {
  /** Where alarms go: email addresses subscribed to a new alarm topic (each must confirm). Default none. */
  emails?: string[];
  /** An alarm topic of this stack to use instead of a new one. */
  topic?: TopicTarget;
  /** Encryption of a new alarm topic: a customer-managed key, `"create"` (default) or `"none"`. */
  encryption?: EncryptionKey | "create" | "none";
  /** Seconds per evaluation period: 10, 30 or a multiple of 60 (CloudWatch's periods). Default 300. */
  periodSeconds?: number;
  /** When events count as waiting too long; `false` for no alarms on waiting. Default {@link WAITING_DEFAULTS}. */
  waiting?: WaitingThresholds | false;
}

/** Thresholds of the alarms on waiting, in seconds. */
export interface WaitingThresholds {
  /**
   * Delivery lag, p99 over one period, above which an alarm fires: each reference handler's
   * `DeliveryLag` (event time → start of processing) and each EventBridge rule's
   * `IngestionToInvocationStartLatency`. Default 300.
   */
  lagSeconds?: number;
  /**
   * Age of the oldest message of a queue above which an alarm fires. Default 1,800: above the
   * 5 receives × visibility timeout a poison message of a 30 s consumer spends before its DLQ.
   */
  queueAgeSeconds?: number;
}

/** The thresholds used when none are given. */
export const WAITING_DEFAULTS: Required<WaitingThresholds> = { lagSeconds: 300, queueAgeSeconds: 1800 };

/** What the alarms watch. */
export interface Watched {
  /** Buckets (their EventBridge rules) and bucket-event components. */
  sources?: (EventBucket | BucketEvents)[];
  /** Targets: functions, queues, topics, state machines, webhooks. */
  targets?: RuleTarget[];
}

/** CloudWatch alarms on every failure path, to one topic. */
export class Alarms extends pulumi.ComponentResource {
  /** The alarm topic. */
  readonly topic: TopicTarget;
  /** Every alarm, by name. */
  readonly alarms: Record<string, aws.cloudwatch.MetricAlarm> = {};
  private readonly periodSeconds: number;
  private readonly waiting: Required<WaitingThresholds> | false;
  private readonly watchedQueues = new Set<DeadLetterQueue>();
  private readonly name: string;

  /**
   * @param name  the component's name; alarms are `<name>-<what>`.
   * @param args  where alarms go.
   * @param opts  component options.
   */
  constructor(name: string, args: AlarmsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("s3-event-routes:index:Alarms", name, {}, opts);
    this.name = name;
    this.periodSeconds = args.periodSeconds ?? 300;
    this.waiting = args.waiting === false ? false : waitingThresholds(name, args.waiting);
    this.topic =
      args.topic ??
      new TopicTarget(
        `${name}-topic`,
        {
          encryption: args.encryption,
          subscriptions: (args.emails ?? []).map((endpoint) => ({ protocol: "email" as const, endpoint })),
        },
        { parent: this },
      );
    // Scoped to this component's alarms by name (alarm ARNs would make a cycle through the topic's key).
    const ctx = awsContext(this);
    this.topic.grantPublish(
      "cloudwatch.amazonaws.com",
      pulumi.interpolate`arn:${ctx.partition}:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${name}-*`,
      `Alarms "${name}"`,
    );
    this.registerOutputs({ topicArn: this.topic.arn });
  }

  /**
   * Adds the alarms of sources (rules: failures, latency) and targets (DLQs, errors, throttles,
   * failed executions; queue age, handler delivery lag).
   */
  watch(watched: Watched): void {
    const waiting = this.waiting;
    for (const source of watched.sources ?? []) {
      for (const [route, rule] of Object.entries(source.rules)) {
        this.alarm(`${source.logicalName}-${route}-failed`, {
          namespace: "AWS/Events",
          metricName: "FailedInvocations",
          dimensions: { RuleName: rule.name },
          description: `EventBridge could not invoke a target of rule ${route}.`,
        });
        if (waiting) {
          // Per-rule latency is published with both dimensions, the default bus included.
          this.alarm(`${source.logicalName}-${route}-latency`, {
            namespace: "AWS/Events",
            metricName: "IngestionToInvocationStartLatency",
            dimensions: { EventBusName: "default", RuleName: rule.name },
            extendedStatistic: "p99",
            threshold: waiting.lagSeconds * 1000,
            description:
              `Events matched by rule ${route} waited more than ${waiting.lagSeconds} s (p99) between ` +
              `EventBridge's ingestion and the start of their target's invocation.`,
          });
        }
      }
    }
    for (const target of new Set(watched.targets ?? [])) {
      const label = target.label
        .replace(/[^A-Za-z0-9-]/g, "-")
        .replace(/-+/g, "-")
        .replace(/-$/, "");
      for (const dlq of target.deadLetterQueues()) {
        if (this.watchedQueues.has(dlq)) continue;
        this.watchedQueues.add(dlq);
        this.alarm(`${dlq.logicalName}-depth`, {
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: dlq.queue.name },
          statistic: "Maximum",
          description: `Messages in dead-letter queue of ${target.label}: events that failed every retry.`,
        });
      }
      if (waiting && target instanceof QueueTarget) {
        this.alarm(`${label}-age`, {
          namespace: "AWS/SQS",
          metricName: "ApproximateAgeOfOldestMessage",
          dimensions: {
            QueueName: target.queue?.name ?? target.arn.apply((arn) => arn.split(":").pop() ?? arn),
          },
          statistic: "Maximum",
          threshold: waiting.queueAgeSeconds,
          description:
            `A message has waited in ${target.label} for more than ${waiting.queueAgeSeconds} s: ` +
            `its consumer is behind, throttled or failing.`,
        });
      }
      const lagTarget = target instanceof LambdaTarget ? deliveryLagTarget(target) : undefined;
      if (waiting && lagTarget !== undefined) {
        this.alarm(`${label}-lag`, {
          namespace: LAG_NAMESPACE,
          metricName: LAG_METRIC,
          dimensions: { service: LAG_SERVICE, Target: lagTarget },
          extendedStatistic: "p99",
          threshold: waiting.lagSeconds * 1000,
          description:
            `Events reached ${target.label} more than ${waiting.lagSeconds} s (p99) after they happened: ` +
            `delivery, queues or retries are behind.`,
        });
      }
      if (target instanceof LambdaTarget) {
        for (const metricName of ["Errors", "Throttles"]) {
          this.alarm(`${label}-${metricName.toLowerCase()}`, {
            namespace: "AWS/Lambda",
            metricName,
            dimensions: { FunctionName: target.functionName },
            description: `${metricName} of ${target.label}.`,
          });
        }
      }
      if (target instanceof StateMachineTarget) {
        this.alarm(`${label}-executions-failed`, {
          namespace: "AWS/States",
          metricName: "ExecutionsFailed",
          dimensions: { StateMachineArn: target.arn },
          description: `Failed executions of ${target.label}.`,
        });
      }
      if (target instanceof WebhookTarget) {
        this.alarm(`${label}-dead-lettered`, {
          namespace: "AWS/Events",
          metricName: "InvocationsSentToDlq",
          dimensions: { ApiDestination: target.destination.name },
          description: pulumi.interpolate`Deliveries to ${target.label} (${target.endpoint}) that failed every retry.`,
        });
      }
    }
  }

  private alarm(
    name: string,
    o: {
      namespace: string;
      metricName: string;
      dimensions: Record<string, pulumi.Input<string>>;
      statistic?: string;
      description: pulumi.Input<string>;
      /** A percentile (`p99`) instead of `statistic`. */
      extendedStatistic?: string;
      /** In the metric's unit. Default 0. */
      threshold?: number;
    },
  ): void {
    const alarmName = `${this.name}-${name}`;
    const alarm = new aws.cloudwatch.MetricAlarm(
      alarmName,
      {
        alarmDescription: o.description,
        namespace: o.namespace,
        metricName: o.metricName,
        dimensions: o.dimensions,
        ...(o.extendedStatistic
          ? { extendedStatistic: o.extendedStatistic }
          : { statistic: o.statistic ?? "Sum" }),
        period: this.periodSeconds,
        evaluationPeriods: 1,
        threshold: o.threshold ?? 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
      },
      { parent: this },
    );
    this.alarms[name] = alarm;
  }
}

/** Thresholds with defaults, each a whole number of seconds from 1 to a day. */
function waitingThresholds(name: string, given: WaitingThresholds = {}): Required<WaitingThresholds> {
  const out = { ...WAITING_DEFAULTS, ...given };
  for (const field of ["lagSeconds", "queueAgeSeconds"] as const) {
    const value = out[field];
    if (!Number.isInteger(value) || value < 1 || value > 86_400) {
      throw new Error(
        `Alarms "${name}": waiting.${field} must be a whole number of seconds from 1 to 86400, got ${value}.`,
      );
    }
  }
  return out;
}
