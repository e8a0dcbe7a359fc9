/**
 * An SNS topic as a destination of S3 events, for fan-out: standard (S3 cannot deliver to FIFO),
 * encrypted with a customer-managed key that S3 may use (or explicitly unencrypted), one topic
 * policy scoped by source ARN and account, and subscriptions — email, SMS, HTTPS, SQS, Lambda —
 * each with a dead-letter queue for deliveries that fail after SNS's retries.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext, awsContext } from "./awsContext";
import { DeadLetterQueue } from "./deadLetterQueue";
import {
  adoptedStandardArn,
  checkInput,
  componentOwner,
  describeType,
  e164,
  emailAddress,
  httpsUrl,
  ownerError,
  shown,
} from "./argCheck";
import { customerManagedKey, EncryptionKey } from "./encryptionKey";
import { LambdaTarget } from "./lambdaTarget";
import { QueueTarget } from "./queueTarget";
import {
  AccessPolicyMode,
  accessPolicyMode,
  adoptedSidPrefix,
  requiredStatements,
  sealedTopicPolicy,
  sharedAccessPolicy,
  SourceGrant,
} from "./resourcePolicy";
import { SharedAccessPolicy } from "./sharedPolicy";
import { Statement } from "./policyDocument";
import { SealedList } from "../model/sealedList";
import { createRuleTarget } from "./ruleTarget";
import { BindContext, NativeBinding, NotificationTarget, RuleBindContext } from "./target";

/** One subscriber of a topic. */
export type Subscription =
  | {
      /** An email address; it must confirm the subscription. */
      protocol: "email";
      /** The address (a string or an Output, e.g. a config value): `local@domain.tld`. */
      endpoint: pulumi.Input<string>;
    }
  | {
      /** A phone number in E.164 form (`+15555550100`). */
      protocol: "sms";
      /** The number (a string or an Output): `+`, country code and number, at most 15 digits. */
      endpoint: pulumi.Input<string>;
    }
  | {
      /** An HTTPS endpoint; it must confirm the subscription. Plain HTTP is refused. */
      protocol: "https";
      /**
       * The URL (a string or an Output): `https://host/...`. Credentials in it (`user:password@`, SNS's
       * basic auth) only when the URL is a secret, so that they are encrypted in the state.
       */
      endpoint: pulumi.Input<string>;
      /** Send the S3 event as the body instead of SNS's envelope. Default false. */
      rawMessageDelivery?: boolean;
    }
  | {
      /** A queue of this stack. */
      protocol: "sqs";
      /** The queue. */
      queue: QueueTarget;
      /** Send the S3 event as the body instead of SNS's envelope. Default false. */
      rawMessageDelivery?: boolean;
    }
  | {
      /** A function of this stack. */
      protocol: "lambda";
      /** The function. */
      function: LambdaTarget;
    };

/** Arguments of {@link TopicTarget}. */
export interface TopicTargetArgs {
  /** Adopt an existing standard topic by ARN instead of creating one. */
  existing?: {
    /**
     * The topic's ARN: a standard topic (a `.fifo` topic is refused; S3 cannot deliver to FIFO) in this
     * stack's region. A string or an Output (another stack's value, a config value); checked when it resolves.
     */
    arn: pulumi.Input<string>;
    /**
     * What this stack does with the topic's access policy (see {@link AccessPolicyMode}). Default
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
  /**
   * Encryption: a customer-managed key (an {@link EncryptionKey}); `"create"` (the default) makes
   * one for this topic; `"none"` leaves the topic unencrypted, explicitly.
   */
  encryption?: EncryptionKey | "create" | "none";
  /**
   * An existing customer-managed key (ARN, id or alias; its policy must let S3 use it); AWS-managed keys
   * are refused. A string or an Output. Give either this or `encryption`, not both.
   */
  kmsKeyArn?: pulumi.Input<string>;
  /** Subscribers; default none. Deliveries that fail after SNS's retries go to a dead-letter queue made for the topic. */
  subscriptions?: Subscription[];
  /** Protect the topic from deletion. Default false. */
  protect?: boolean;
}

/** SNS's retry policy for HTTPS subscribers: 20 attempts over about 20 minutes, then the DLQ. */
export const HTTPS_DELIVERY_POLICY = {
  healthyRetryPolicy: {
    numRetries: 20,
    numNoDelayRetries: 0,
    minDelayTarget: 20,
    maxDelayTarget: 120,
    numMinDelayRetries: 3,
    numMaxDelayRetries: 10,
    backoffFunction: "exponential",
  },
  throttlePolicy: { maxReceivesPerSecond: 10 },
};

/**
 * A standard SNS topic fed by S3 events and fanned out to subscribers (email, SMS, HTTPS, SQS,
 * Lambda), encrypted with a customer-managed key by default, each subscription with a dead-letter queue.
 *
 * @example
 * ```ts
 * import { EventBucket, TopicTarget } from "s3-event-routes";
 *
 * const activity = new TopicTarget("activity", {
 *   subscriptions: [
 *     { protocol: "email", endpoint: "team@example.com" },
 *     { protocol: "https", endpoint: "https://hooks.example.com/s3" },
 *   ],
 * });
 * new EventBucket("shared").addRoute({ name: "activity", events: ["created", "removed"], target: activity });
 * ```
 */
export class TopicTarget extends pulumi.ComponentResource implements NotificationTarget {
  /**
   * `sns "<name>"`.
   *
   * @internal
   */
  readonly label: string;
  /**
   * A topic writes no objects.
   *
   * @internal
   */
  readonly writes = [];
  /** The topic's ARN. */
  readonly arn: pulumi.Output<string>;
  /** The topic (undefined when adopted). */
  readonly topic?: aws.sns.Topic;
  /** The topic's key, when this component created or was given one. */
  readonly kmsKey?: EncryptionKey;
  /**
   * The topic policy: an `aws.sns.TopicPolicy` for a topic created here (or adopted with
   * `accessPolicy: "replace-entire-policy"`), a {@link SharedAccessPolicy} holding only this stack's
   * statements for an adopted topic (the default), undefined with `"managed-elsewhere"`.
   */
  readonly policy?: aws.sns.TopicPolicy | SharedAccessPolicy;
  /**
   * For an adopted topic whose policy this stack does not replace: the statements this stack needs in
   * it (what `"add-statements"` writes; what whoever manages it must add with `"managed-elsewhere"`).
   */
  readonly requiredStatements?: pulumi.Output<Statement[]>;
  /** Where deliveries to subscribers go after SNS's retries fail. */
  readonly deliveryFailures?: DeadLetterQueue;
  /** The subscriptions. */
  readonly subscriptions: aws.sns.TopicSubscription[] = [];
  private readonly grants: SealedList<SourceGrant>;
  private readonly ctx: AwsContext;
  private readonly bound = new Set<string>();
  private readonly name: string;
  private ruleFailures?: DeadLetterQueue;

  /**
   * @param name  the component's name; children are `<name>`, `<name>-policy`, `<name>-sub-<n>`, ...
   * @param args  topic settings and subscribers.
   * @param opts  component options.
   */
  constructor(name: string, args: TopicTargetArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("s3-event-routes:index:TopicTarget", name, {}, opts);
    const owner = componentOwner("TopicTarget", name);
    this.label = `sns "${name}"`;
    this.name = name;
    this.ctx = awsContext(this);
    this.grants = new SealedList(`the topic policy of ${this.label}`);
    let kmsKeyArn: pulumi.Output<string> | undefined;
    if (args.kmsKeyArn !== undefined) {
      kmsKeyArn = checkInput(owner, "kmsKeyArn", args.kmsKeyArn, customerManagedKey(owner, "kmsKeyArn"));
      if (args.encryption !== undefined) {
        throw ownerError(owner, `give either "encryption" or "kmsKeyArn", not both.`);
      }
    }
    const encryptionArg: unknown = args.encryption;
    if (
      encryptionArg !== undefined &&
      encryptionArg !== "create" &&
      encryptionArg !== "none" &&
      !(encryptionArg instanceof EncryptionKey)
    ) {
      throw ownerError(
        owner,
        `encryption ${typeof encryptionArg === "string" ? shown(encryptionArg) : `(${describeType(encryptionArg)})`} ` +
          `is not "create", "none" or an EncryptionKey. Use one of them.`,
      );
    }
    if (args.subscriptions !== undefined && !Array.isArray(args.subscriptions)) {
      throw ownerError(owner, `subscriptions must be a list, got ${describeType(args.subscriptions)}.`);
    }

    if (args.existing) {
      const mode = accessPolicyMode(owner, args.existing);
      // This account's provider writes the policy unless it is managed elsewhere.
      const managed = mode !== "managed-elsewhere";
      this.arn = adoptedStandardArn(owner, args.existing.arn, "topic", this.ctx, managed);
      if (mode === "replace-entire-policy") {
        this.policy = sealedTopicPolicy(`${name}-policy`, this.arn, this.grants, this.ctx, this);
      } else {
        const sidPrefix = adoptedSidPrefix(name);
        this.requiredStatements = requiredStatements("sns", this.arn, this.grants, this.ctx, sidPrefix);
        if (mode === "add-statements") {
          this.policy = sharedAccessPolicy(
            `${name}-policy`,
            "sns",
            { arn: this.arn },
            this.requiredStatements,
            sidPrefix,
            this,
          );
        }
      }
    } else {
      const encryption = kmsKeyArn ? undefined : (args.encryption ?? "create");
      this.kmsKey =
        encryption === "create"
          ? new EncryptionKey(`${name}-key`, { description: `SNS topic ${name}` }, { parent: this })
          : encryption === "none"
            ? undefined
            : encryption;
      this.topic = new aws.sns.Topic(
        name,
        { kmsMasterKeyId: this.kmsKey?.arn ?? kmsKeyArn },
        { parent: this, protect: args.protect },
      );
      this.arn = this.topic.arn;
      this.policy = sealedTopicPolicy(`${name}-policy`, this.topic.arn, this.grants, this.ctx, this);
    }

    const subs = args.subscriptions ?? [];
    if (subs.length > 0) {
      this.deliveryFailures = new DeadLetterQueue(`${name}-delivery-failures`, {}, { parent: this });
      this.deliveryFailures.grantSend("sns.amazonaws.com", this.arn, owner);
    }
    subs.forEach((sub, i) => this.subscriptions.push(this.subscribe(name, owner, sub, i)));
    this.registerOutputs({ arn: this.arn });
  }

  private subscribe(name: string, owner: string, sub: Subscription, i: number): aws.sns.TopicSubscription {
    const redrivePolicy = this.deliveryFailures!.arn.apply((arn) =>
      JSON.stringify({ deadLetterTargetArn: arn }),
    );
    const common = { topic: this.arn, redrivePolicy };
    const opts = { parent: this };
    const subName = `${name}-sub-${i + 1}`;
    const field = `subscriptions[${i}].endpoint`;
    if (!sub || typeof sub !== "object") {
      throw ownerError(owner, `subscription ${i + 1} is ${describeType(sub)}, not a subscription object.`);
    }
    switch (sub.protocol) {
      case "email":
      case "sms": {
        const check = sub.protocol === "email" ? emailAddress(owner, field) : e164(owner, field);
        return new aws.sns.TopicSubscription(
          subName,
          { ...common, protocol: sub.protocol, endpoint: checkInput(owner, field, sub.endpoint, check) },
          opts,
        );
      }
      case "https": {
        const endpoint = checkInput(
          owner,
          field,
          sub.endpoint,
          httpsUrl(owner, field, "SNS would deliver events in clear text or not at all", "secret-only"),
        );
        return new aws.sns.TopicSubscription(
          subName,
          {
            ...common,
            protocol: "https",
            endpoint,
            rawMessageDelivery: sub.rawMessageDelivery ?? false,
            deliveryPolicy: JSON.stringify(HTTPS_DELIVERY_POLICY),
          },
          opts,
        );
      }
      case "sqs":
        if (!(sub.queue instanceof QueueTarget)) {
          throw ownerError(
            owner,
            `subscription ${i + 1} (sqs) needs "queue", a QueueTarget; got ${describeType(sub.queue)}.`,
          );
        }
        sub.queue.grantSend("sns.amazonaws.com", this.arn, owner);
        return new aws.sns.TopicSubscription(
          subName,
          {
            ...common,
            protocol: "sqs",
            endpoint: sub.queue.arn,
            rawMessageDelivery: sub.rawMessageDelivery ?? false,
          },
          { parent: this, dependsOn: sub.queue.deliveryDependencies() },
        );
      case "lambda": {
        if (!(sub.function instanceof LambdaTarget)) {
          throw ownerError(
            owner,
            `subscription ${i + 1} (lambda) needs "function", a LambdaTarget; got ${describeType(sub.function)}.`,
          );
        }
        const permission = new aws.lambda.Permission(
          `${subName}-invoke`,
          {
            action: "lambda:InvokeFunction",
            function: sub.function.functionName,
            principal: "sns.amazonaws.com",
            sourceArn: this.arn,
            sourceAccount: this.ctx.accountId,
          },
          opts,
        );
        return new aws.sns.TopicSubscription(
          subName,
          { ...common, protocol: "lambda", endpoint: sub.function.arn },
          { parent: this, dependsOn: [permission, ...sub.function.readyForEvents] },
        );
      }
      default: {
        const unknown: { protocol?: string } = sub;
        throw ownerError(
          owner,
          `subscription ${i + 1} has protocol "${unknown.protocol}"; use email, sms, https, sqs or lambda.`,
        );
      }
    }
  }

  /** What must exist before anyone delivers here: the resource policy and the key policy. */
  private deliveryDependencies(): pulumi.Resource[] {
    return [this.policy, this.kmsKey?.policy].filter((r): r is NonNullable<typeof r> => r !== undefined);
  }

  /**
   * The dead-letter queues of this target, for alarms.
   *
   * @internal
   */
  deadLetterQueues(): DeadLetterQueue[] {
    return [this.deliveryFailures, this.ruleFailures].filter((q): q is DeadLetterQueue => q !== undefined);
  }

  /**
   * Lets a service publish for one source, and use the topic's key.
   *
   * @internal
   */
  grantPublish(service: string, sourceArn: pulumi.Input<string>, owner: string): void {
    this.grants.add({ service, sourceArn }, owner);
    this.kmsKey?.grantService(service, sourceArn, owner);
  }

  /**
   * Lets the bucket publish (once per bucket); the notification depends on the topic policy.
   *
   * @internal
   */
  bindNative(ctx: BindContext): NativeBinding {
    if (!this.bound.has(ctx.bucketName)) {
      this.grantPublish("s3.amazonaws.com", ctx.bucketArn, `Bucket "${ctx.bucketName}"`);
      this.bound.add(ctx.bucketName);
    }
    return { kind: "sns", arn: this.arn, dependsOn: this.deliveryDependencies() };
  }

  /**
   * Lets the rule publish to the topic; events that still fail go to a dead-letter queue.
   *
   * @internal
   */
  bindRule(ctx: RuleBindContext): aws.cloudwatch.EventTarget {
    this.grantPublish("events.amazonaws.com", ctx.rule.arn, `Rule "${ctx.ruleKey}"`);
    this.ruleFailures ??= new DeadLetterQueue(`${this.name}-rule-failures`, {}, { parent: this });
    return createRuleTarget(`${this.name}-${ctx.ruleKey}`, ctx, {
      arn: this.arn,
      deadLetterQueue: this.ruleFailures,
      parent: this,
      dependsOn: this.deliveryDependencies(),
    });
  }
}
