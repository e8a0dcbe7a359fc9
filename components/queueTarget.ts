/**
 * An SQS queue as a destination of S3 events: standard (S3 cannot deliver to FIFO), with a
 * dead-letter queue and redrive policy, a visibility timeout of at least six times its consumer's
 * timeout, long polling, encryption, TLS only, and one queue policy that lets each bound bucket
 * (and topic) send, scoped by source ARN and account.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext, awsContext } from "./awsContext";
import { DeadLetterQueue, encryptionArgs } from "./deadLetterQueue";
import { EncryptionKey } from "./encryptionKey";
import {
  adoptedStandardArn,
  argError,
  checkInput,
  checkRange,
  componentOwner,
  ownerError,
  parseArn,
  shown,
} from "./argCheck";
import { LambdaTarget } from "./lambdaTarget";
import {
  AccessPolicyMode,
  accessPolicyMode,
  adoptedSidPrefix,
  requiredStatements,
  sealedQueuePolicy,
  sharedAccessPolicy,
  SourceGrant,
} from "./resourcePolicy";
import { SharedAccessPolicy } from "./sharedPolicy";
import { sidPart, Statement } from "./policyDocument";
import { SealedList } from "../model/sealedList";
import { createRuleTarget } from "./ruleTarget";
import { BindContext, NativeBinding, NotificationTarget, RuleBindContext } from "./target";

/** The Lambda function that consumes the queue, and how. */
export interface QueueConsumer {
  /** The consuming function. Its timeout sets the queue's visibility timeout (6×). */
  function: LambdaTarget;
  /** Messages per batch, 1 to 10,000. Default 10. */
  batchSize?: number;
  /** Seconds to gather a batch, 0 to 300. Default 1. */
  maximumBatchingWindowSeconds?: number;
  /** Most concurrent invocations of the consumer, 2 to 1,000. Default: no limit. */
  maximumConcurrency?: number;
}

/** Arguments of {@link QueueTarget}. */
export interface QueueTargetArgs {
  /** Adopt an existing standard queue instead of creating one (no DLQ is created for it). */
  existing?: {
    /**
     * The queue's ARN: a standard queue (a `.fifo` queue is refused; S3 cannot deliver to FIFO) in
     * this stack's region. A string or an Output (another stack's value, a config value); checked
     * when it resolves.
     */
    arn: pulumi.Input<string>;
    /** The queue's URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`), naming the same queue. */
    url: pulumi.Input<string>;
    /**
     * What this stack does with the queue's access policy (see {@link AccessPolicyMode}). Default
     * `"add-statements"`: add only this stack's statements (owner-namespaced Sids) next to every other
     * statement, which is kept exactly as read. `"replace-entire-policy"` deletes every statement anyone
     * else put there; `"managed-elsewhere"` writes nothing (the target's `requiredStatements` lists what to add).
     */
    accessPolicy?: AccessPolicyMode;
    /**
     * @deprecated Use `accessPolicy`. `false` is `accessPolicy: "managed-elsewhere"`; `true` is the
     * default, `"add-statements"` (it no longer replaces the policy).
     */
    managePolicy?: boolean;
  };
  /** The consumer; an event source mapping with partial batch responses is created. */
  consumer?: QueueConsumer;
  /** The consumer's timeout in seconds (1 to 900, as Lambda's) when it is not given as `consumer`. Default 30. */
  consumerTimeoutSeconds?: number;
  /** Visibility timeout in seconds. Default and minimum: 6 × the consumer's timeout. */
  visibilityTimeoutSeconds?: number;
  /** Receives before a message moves to the dead-letter queue, 5 to 1,000. Default 5. */
  maxReceiveCount?: number;
  /** Seconds a message is kept, 60 to 1,209,600. Default 345,600 (4 days). */
  messageRetentionSeconds?: number;
  /** Long-polling wait, 0 to 20 seconds. Default 20. */
  receiveWaitTimeSeconds?: number;
  /** Customer-managed key (its policy lets S3 use it). Default: SSE-SQS. */
  kmsKey?: EncryptionKey;
  /** Protect the queue and its dead-letter queue from deletion. Default false. */
  protect?: boolean;
}

/**
 * A standard SQS queue fed by S3 events (and topics), with a dead-letter queue, a policy scoped to
 * the bucket and account, and a visibility timeout of at least 6 × its consumer's timeout.
 *
 * @example
 * ```ts
 * import { EventBucket, QueueTarget, queueConsumerHandler } from "s3-event-routes";
 *
 * const consumer = queueConsumerHandler("ingest-consumer");
 * const ingest = new QueueTarget("ingest", { consumer: { function: consumer.target, batchSize: 10 } });
 * new EventBucket("uploads").addRoute({ name: "ingest", events: ["created"], filter: { prefix: "incoming/" }, target: ingest });
 * ```
 */
export class QueueTarget extends pulumi.ComponentResource implements NotificationTarget {
  /**
   * `sqs "<name>"`.
   *
   * @internal
   */
  readonly label: string;
  /**
   * A queue writes no objects.
   *
   * @internal
   */
  readonly writes = [];
  /** The queue's ARN. */
  readonly arn: pulumi.Output<string>;
  /** The queue's URL. */
  readonly url: pulumi.Output<string>;
  /** The queue (undefined when adopted). */
  readonly queue?: aws.sqs.Queue;
  /** The dead-letter queue (undefined when adopted). */
  readonly deadLetterQueue?: DeadLetterQueue;
  /**
   * The queue policy: an `aws.sqs.QueuePolicy` for a queue created here (or adopted with
   * `accessPolicy: "replace-entire-policy"`), a {@link SharedAccessPolicy} holding only this stack's
   * statements for an adopted queue (the default), undefined with `"managed-elsewhere"`.
   */
  readonly policy?: aws.sqs.QueuePolicy | SharedAccessPolicy;
  /**
   * For an adopted queue whose policy this stack does not replace: the statements this stack needs in
   * it (what `"add-statements"` writes; what whoever manages it must add with `"managed-elsewhere"`).
   */
  readonly requiredStatements?: pulumi.Output<Statement[]>;
  /** The consumer's event source mapping, if any. */
  readonly eventSourceMapping?: aws.lambda.EventSourceMapping;
  /** The visibility timeout, in seconds. */
  readonly visibilityTimeoutSeconds: number;
  private readonly grants: SealedList<SourceGrant>;
  private readonly ctx: AwsContext;
  private readonly kmsKey?: EncryptionKey;
  private readonly bound = new Set<string>();
  private readonly name: string;
  private failures?: DeadLetterQueue;

  /**
   * @param name  the component's name; children are `<name>`, `<name>-dlq`, `<name>-policy`, ...
   * @param args  queue settings.
   * @param opts  component options.
   */
  constructor(name: string, args: QueueTargetArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("s3-event-routes:index:QueueTarget", name, {}, opts);
    const owner = componentOwner("QueueTarget", name);
    this.label = `sqs "${name}"`;
    this.name = name;
    this.ctx = awsContext(this);
    this.kmsKey = args.kmsKey;
    checkRange(owner, "maxReceiveCount", args.maxReceiveCount, 5, 1000);
    checkRange(owner, "receiveWaitTimeSeconds", args.receiveWaitTimeSeconds, 0, 20);
    checkRange(owner, "messageRetentionSeconds", args.messageRetentionSeconds, 60, 1_209_600);
    checkRange(owner, "consumerTimeoutSeconds", args.consumerTimeoutSeconds, 1, 900);
    checkRange(owner, "visibilityTimeoutSeconds", args.visibilityTimeoutSeconds, 0, 43_200);
    const consumerTimeout = args.consumer?.function.timeoutSeconds ?? args.consumerTimeoutSeconds ?? 30;
    const minimum = 6 * consumerTimeout;
    if (args.visibilityTimeoutSeconds !== undefined && args.visibilityTimeoutSeconds < minimum) {
      throw ownerError(
        owner,
        `visibilityTimeoutSeconds ${args.visibilityTimeoutSeconds} is under 6 × the consumer's timeout ` +
          `(${consumerTimeout} s), so a message still being processed would be delivered again. Use at least ${minimum}.`,
      );
    }
    this.visibilityTimeoutSeconds = args.visibilityTimeoutSeconds ?? minimum;
    checkRange(owner, "visibilityTimeoutSeconds", this.visibilityTimeoutSeconds, 0, 43_200);
    this.grants = new SealedList(`the queue policy of ${this.label}`);

    if (args.existing) {
      const mode = accessPolicyMode(owner, args.existing);
      // This account's provider writes the policy unless it is managed elsewhere.
      const managed = mode !== "managed-elsewhere";
      const arn = adoptedStandardArn(owner, args.existing.arn, "queue", this.ctx, managed);
      const url = checkInput(owner, "existing.url", args.existing.url, (value, display) =>
        queueUrlShape(owner, value, display),
      );
      this.arn = arn;
      this.url = pulumi.all([url, arn]).apply(async ([u, a]) => {
        const secret = (await pulumi.isSecret(url)) || (await pulumi.isSecret(arn));
        sameQueue(owner, u, a, secret);
        return u;
      });
      if (mode === "replace-entire-policy") {
        this.policy = sealedQueuePolicy(
          `${name}-policy`,
          { url: this.url, arn: this.arn },
          this.grants,
          this.ctx,
          this,
        );
      } else {
        const sidPrefix = adoptedSidPrefix(name);
        this.requiredStatements = requiredStatements("sqs", this.arn, this.grants, this.ctx, sidPrefix);
        if (mode === "add-statements") {
          this.policy = sharedAccessPolicy(
            `${name}-policy`,
            "sqs",
            { arn: this.arn, url: this.url },
            this.requiredStatements,
            sidPrefix,
            this,
          );
        }
      }
    } else {
      this.deadLetterQueue = new DeadLetterQueue(
        `${name}-dlq`,
        { kmsKey: args.kmsKey, protect: args.protect },
        { parent: this },
      );
      this.queue = new aws.sqs.Queue(
        name,
        {
          visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
          messageRetentionSeconds: args.messageRetentionSeconds ?? 345_600,
          receiveWaitTimeSeconds: args.receiveWaitTimeSeconds ?? 20,
          redrivePolicy: this.deadLetterQueue.arn.apply((arn) =>
            JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: args.maxReceiveCount ?? 5 }),
          ),
          ...encryptionArgs(args.kmsKey),
        },
        { parent: this, protect: args.protect },
      );
      this.arn = this.queue.arn;
      this.url = this.queue.url;
      this.policy = sealedQueuePolicy(`${name}-policy`, this.queue, this.grants, this.ctx, this);
    }

    if (args.consumer) {
      const c = args.consumer;
      checkRange(owner, "consumer.batchSize", c.batchSize, 1, 10_000);
      checkRange(owner, "consumer.maximumBatchingWindowSeconds", c.maximumBatchingWindowSeconds, 0, 300);
      checkRange(owner, "consumer.maximumConcurrency", c.maximumConcurrency, 2, 1000);
      const actions = [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ChangeMessageVisibility",
      ];
      c.function.grant(
        { Sid: `Consume${sidPart(name)}`, Effect: "Allow", Action: actions, Resource: this.arn },
        owner,
      );
      if (args.kmsKey) {
        c.function.grant(
          {
            Sid: `Decrypt${sidPart(name)}`,
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: args.kmsKey.arn,
          },
          owner,
        );
      }
      this.eventSourceMapping = new aws.lambda.EventSourceMapping(
        `${name}-consumer`,
        {
          eventSourceArn: this.arn,
          functionName: c.function.functionName,
          batchSize: c.batchSize ?? 10,
          maximumBatchingWindowInSeconds: c.maximumBatchingWindowSeconds ?? 1,
          functionResponseTypes: ["ReportBatchItemFailures"],
          scalingConfig: c.maximumConcurrency ? { maximumConcurrency: c.maximumConcurrency } : undefined,
        },
        // Lambda refuses the mapping unless the consumer's role may already receive from the queue.
        { parent: this, dependsOn: c.function.readyForEvents },
      );
    }
    this.registerOutputs({ arn: this.arn, url: this.url });
  }

  /**
   * What must exist before anyone delivers here: the resource policy and the key policy.
   *
   * @internal
   */
  deliveryDependencies(): pulumi.Resource[] {
    return [this.policy, this.kmsKey?.policy].filter((r): r is NonNullable<typeof r> => r !== undefined);
  }

  /**
   * The dead-letter queues of this target, for alarms.
   *
   * @internal
   */
  deadLetterQueues(): DeadLetterQueue[] {
    return [
      ...new Set([this.deadLetterQueue, this.failures].filter((q): q is DeadLetterQueue => q !== undefined)),
    ];
  }

  /**
   * Lets a service send to the queue for one source, and use its key when it has one.
   *
   * @param service    e.g. `s3.amazonaws.com`, `sns.amazonaws.com`, `events.amazonaws.com`.
   * @param sourceArn  the bucket, topic or rule that sends.
   * @param owner        who asks, for the error if the policy is already final.
   *
   * @internal
   */
  grantSend(service: string, sourceArn: pulumi.Input<string>, owner: string): void {
    this.grants.add({ service, sourceArn }, owner);
    this.kmsKey?.grantService(service, sourceArn, owner);
  }

  /**
   * Lets the bucket send (once per bucket); the notification depends on the queue policy.
   *
   * @internal
   */
  bindNative(ctx: BindContext): NativeBinding {
    if (!this.bound.has(ctx.bucketName)) {
      this.grantSend("s3.amazonaws.com", ctx.bucketArn, `Bucket "${ctx.bucketName}"`);
      this.bound.add(ctx.bucketName);
    }
    return { kind: "sqs", arn: this.arn, dependsOn: this.deliveryDependencies() };
  }

  /**
   * Lets the rule send to the queue; events that still fail go to the queue's DLQ.
   *
   * @internal
   */
  bindRule(ctx: RuleBindContext): aws.cloudwatch.EventTarget {
    this.grantSend("events.amazonaws.com", ctx.rule.arn, `Rule "${ctx.ruleKey}"`);
    return createRuleTarget(`${this.name}-${ctx.ruleKey}`, ctx, {
      arn: this.arn,
      deadLetterQueue: this.ruleFailures(),
      parent: this,
      dependsOn: this.deliveryDependencies(),
    });
  }

  /** The DLQ for events a rule could not deliver: the queue's own DLQ, or one made for an adopted queue. */
  private ruleFailures(): DeadLetterQueue {
    this.failures ??=
      this.deadLetterQueue ?? new DeadLetterQueue(`${this.name}-rule-failures`, {}, { parent: this });
    return this.failures;
  }
}

const QUEUE_URL = /^https:\/\/([a-z0-9.-]+)\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;

/** Refuses a queue URL that is not `https://<host>/<account>/<name>`. */
function queueUrlShape(owner: string, value: string, display: string): void {
  if (!QUEUE_URL.test(value)) {
    throw argError(
      owner,
      "existing.url",
      `${display} is not an SQS queue URL`,
      `Give one like "https://sqs.us-east-1.amazonaws.com/123456789012/jobs" (the queue's QueueUrl).`,
    );
  }
}

/** Refuses a URL and an ARN that name different queues (the policy would go to one, events to the other). */
function sameQueue(owner: string, url: string, arn: string, secret: boolean): void {
  const m = QUEUE_URL.exec(url);
  const parts = parseArn(arn);
  if (!m || !parts) return;
  const [, host, account, name] = m;
  const region = /^sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1];
  if (
    account !== parts.account ||
    name !== parts.resource ||
    (region !== undefined && region !== parts.region)
  ) {
    throw argError(
      owner,
      "existing.url",
      `${shown(url, secret)} and existing.arn ${shown(arn, secret)} name different queues`,
      `Give the URL and the ARN of the same queue (aws sqs get-queue-url / get-queue-attributes).`,
    );
  }
}
