/**
 * Alarms for every place an event can fail: messages in any dead-letter queue, handler errors and
 * throttles, rule invocations that failed, API-destination (webhook) deliveries dead-lettered,
 * and failed workflow executions — each to one alarm topic. One set per target, not per route.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "./awsContext";
import { BucketEvents } from "./bucketEvents";
import { DeadLetterQueue } from "./deadLetterQueue";
import { EncryptionKey } from "./encryptionKey";
import { EventBucket } from "./eventBucket";
import { LambdaTarget } from "./lambdaTarget";
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
}

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

  /** Adds the alarms of sources (rules) and targets (DLQs, errors, throttles, failed executions). */
  watch(watched: Watched): void {
    for (const source of watched.sources ?? []) {
      for (const [route, rule] of Object.entries(source.rules)) {
        this.alarm(`${source.logicalName}-${route}-failed`, {
          namespace: "AWS/Events",
          metricName: "FailedInvocations",
          dimensions: { RuleName: rule.name },
          description: `EventBridge could not invoke a target of rule ${route}.`,
        });
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
        statistic: o.statistic ?? "Sum",
        period: this.periodSeconds,
        evaluationPeriods: 1,
        threshold: 0,
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
