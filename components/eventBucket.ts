/**
 * EventBucket: an S3 bucket with secure defaults and any number of event routes, all of which end
 * in exactly one notification resource — validated (S3's overlap rule, self-triggering handlers)
 * when each route is declared, before anything is deployed. A bucket it creates gets one
 * `aws.s3.BucketNotification` (the whole configuration is this stack's); an adopted bucket
 * (`existing`) gets a {@link SharedBucketNotification}, which adds this stack's entries next to
 * everyone else's instead of replacing them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  bucketNameCheck,
  checkInput,
  componentOwner,
  ownerError,
  routeOwner,
  routeSubject,
} from "./argCheck";
import { AwsContext, awsContext } from "./awsContext";
import { EncryptionKey } from "./encryptionKey";
import { encodeFilterValue } from "../model/objectFilter";
import { createSecureBucket } from "./secureBucket";
import {
  RouteInput,
  RouteSpec,
  validateBucketRoutes,
  validateRoute,
  ObjectWrite,
  NativeTargetKind,
} from "../model/routeModel";
import { SealedList } from "../model/sealedList";
import { eventPatternFor } from "../model/eventPattern";
import { describeOverlap, describeTriggerCycle, findOverlaps, findTriggerCycle } from "../model/routeModel";
import { bucketKey, RegisteredBucket, resolvedRoutes, stackBuckets, writeKey } from "./stackBuckets";
import { SharedBucketNotification, stackNamespace } from "./sharedNotification";
import { ownershipId } from "../model/notificationMerge";
import { BindContext, isNativeTarget, NotificationTarget, RuleTarget, TargetWrite } from "./target";
import { StatementInput } from "./policyDocument";

/** A route: which events, which objects, and the target they go to. */
export interface Route extends RouteInput {
  /**
   * The destination: a LambdaTarget, TopicTarget or QueueTarget (native or EventBridge), or a
   * StateMachineTarget or WebhookTarget (EventBridge only). `delivery` defaults to `"native"` for
   * the first kind and `"eventbridge"` for the second.
   */
  target: NotificationTarget | RuleTarget;
}

/** Arguments of {@link EventBucket}. */
export interface EventBucketArgs {
  /**
   * Adopt an existing bucket by name instead of creating one: only this stack's entries of its
   * notification are managed (a {@link SharedBucketNotification}), next to everyone else's. The bucket
   * settings below (`versioning`, `kmsKey`, `forceDestroy`, public access, TLS, policy, `protect`) do not
   * apply to an adopted bucket; `bucketName` and `existing` exclude each other.
   */
  existing?: {
    /** The bucket's name: a string or an Output (another stack's value, a config value); checked when it resolves. */
    bucketName: pulumi.Input<string>;
  };
  /**
   * The bucket's physical name: 3 to 63 lower-case letters, digits, `.` and `-`, unique in the partition
   * (S3's naming rules); a string or an Output, checked when it resolves. Default: the component name plus
   * a random suffix.
   */
  bucketName?: pulumi.Input<string>;
  /** Routes declared with the bucket. More can be added with {@link EventBucket.addRoute}, in the same synchronous run. */
  routes?: Route[];
  /** Keep every version of every object. Default false. */
  versioning?: boolean;
  /** Encrypt objects with this customer-managed key (SSE-KMS, bucket key on). Default: SSE-S3. */
  kmsKey?: EncryptionKey;
  /** Let `pulumi destroy` delete a bucket that still holds objects. Default false. */
  forceDestroy?: boolean;
  /** Opt out of blocking all public access. Default false: all four public-access blocks on. */
  allowPublicAccess?: boolean;
  /** Opt out of the bucket policy that denies requests without TLS. Default false. */
  allowInsecureTransport?: boolean;
  /** Further bucket policy statements (the TLS-only statement is always first unless opted out). */
  policyStatements?: StatementInput[];
  /** Protect the bucket from deletion. Default false. */
  protect?: boolean;
  /**
   * What to do when a native route would overlap one already on the bucket (S3 rejects that):
   * `"error"` (default) fails with the two routes named; `"eventbridge"` delivers the later route
   * through EventBridge instead, shown as rerouted in the route table. Routes with an explicit
   * `delivery: "native"` always fail.
   */
  onOverlap?: "error" | "eventbridge";
}

/** One row of the route table: what the plan and the docs show. */
export interface RouteRow {
  /** The bucket component's name. */
  bucket: string;
  /** The route's name. */
  route: string;
  /** S3 event types. */
  events: string[];
  /** Prefix, as written (decoded). */
  prefix?: string;
  /** Suffix, as written (decoded). */
  suffix?: string;
  /** Delivery path. */
  delivery: RouteSpec["delivery"];
  /** The target's label. */
  target: string;
  /** The route it was rerouted from overlapping, when `onOverlap: "eventbridge"` applied. */
  reroutedFrom?: string;
}

interface NativeEntry {
  kind: NativeTargetKind;
  arn: pulumi.Output<string>;
  spec: RouteSpec;
  dependsOn: pulumi.Resource[];
}

/**
 * An S3 bucket that routes its events: secure defaults, and every route in one notification.
 *
 * @example
 * ```ts
 * import { EventBucket, QueueTarget, TopicTarget } from "s3-event-routes";
 *
 * const jobs = new QueueTarget("jobs", { consumerTimeoutSeconds: 60 });
 * const alerts = new TopicTarget("alerts", {
 *   subscriptions: [{ protocol: "email", endpoint: "ops@example.com" }],
 * });
 * const uploads = new EventBucket("uploads", {
 *   routes: [{ name: "jobs", events: ["created"], filter: { prefix: "jobs/", suffix: ".json" }, target: jobs }],
 * });
 * uploads.addRoute({ name: "deletions", events: ["s3:ObjectRemoved:*"], target: alerts });
 * export const bucketName = uploads.bucketName;
 * ```
 */
export class EventBucket extends pulumi.ComponentResource {
  /** The component's logical name. */
  readonly logicalName: string;
  /** The bucket (undefined when adopted). */
  readonly bucket?: aws.s3.Bucket;
  /** The bucket's physical name. */
  readonly bucketName: pulumi.Output<string>;
  /** The bucket's ARN. */
  readonly arn: pulumi.Output<string>;
  /**
   * Which notification path the bucket uses: `"owned"` (a bucket this component creates: one
   * `aws.s3.BucketNotification` holding the whole configuration) or `"shared"` (an adopted bucket: a
   * {@link SharedBucketNotification} that adds and removes only this stack's entries).
   */
  readonly notificationMode: "owned" | "shared";
  /**
   * The bucket's single notification resource of this stack: an `aws.s3.BucketNotification` when
   * {@link notificationMode} is `"owned"`, a {@link SharedBucketNotification} when `"shared"`. Both have
   * `bucket`, `lambdaFunctions`, `queues`, `topics` and `eventbridge` in the same shape.
   */
  readonly notification: aws.s3.BucketNotification | SharedBucketNotification;
  /** The bucket policy (undefined when adopted or opted out). */
  readonly policy?: aws.s3.BucketPolicy;
  /** The validated routes, in declaration order. */
  readonly routes: RouteSpec[] = [];
  /** The route table, resolved when the notification is final. */
  readonly routeTable: pulumi.Output<RouteRow[]>;
  private readonly name: string;
  private readonly physicalName?: string;
  private readonly ctx: AwsContext;
  /** The bucket's customer-managed key ARN, when it has one (writers and readers need it). */
  readonly kmsKeyArn?: pulumi.Output<string>;
  /**
   * The bucket's ARN as targets write it into permissions and policies. Built from the name when
   * the name is known (adopted or named buckets), so that those need not wait for the bucket to
   * be created: AWS checks neither that a policy's source ARN exists nor, here, that it is ours —
   * `aws:SourceAccount` does. For an auto-named bucket it is the bucket's own ARN.
   */
  private readonly sourceArn: pulumi.Output<string>;
  private readonly entries: SealedList<NativeEntry>;
  private readonly onOverlap: "error" | "eventbridge";
  /** This component in the stack's registry of buckets. */
  private readonly registered: RegisteredBucket;
  /** The stack's bucket components, this one included. */
  private readonly stackBuckets: RegisteredBucket[];
  /** The EventBridge rules of routes delivered through EventBridge, by route name. */
  readonly rules: Record<string, aws.cloudwatch.EventRule> = {};

  /**
   * @param name  the component's name; children are `<name>`, `<name>-notification`, ...
   * @param args  the bucket's settings and routes.
   * @param opts  component options.
   */
  constructor(name: string, args: EventBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("s3-event-routes:index:EventBucket", name, {}, opts);
    this.name = name;
    this.logicalName = name;
    const givenName = args.existing?.bucketName ?? args.bucketName;
    // The physical name when it is known now (a plain string): self-trigger checks compare it.
    this.physicalName = typeof givenName === "string" ? givenName : undefined;
    this.onOverlap = args.onOverlap ?? "error";
    this.ctx = awsContext(this);
    const owner = componentOwner("EventBucket", name);
    if (args.existing && args.bucketName) {
      throw ownerError(
        owner,
        `give "existing.bucketName" to adopt a bucket or "bucketName" to name a new one, not both.`,
      );
    }
    const checkedName =
      givenName === undefined
        ? undefined
        : checkInput(
            owner,
            args.existing ? "existing.bucketName" : "bucketName",
            givenName,
            bucketNameCheck(owner, args.existing ? "existing.bucketName" : "bucketName", !!args.existing),
          );
    this.stackBuckets = stackBuckets();
    this.registered = {
      component: this,
      logicalName: name,
      physicalName: this.physicalName,
      mode: args.existing ? "shared" : "owned",
      routes: this.routes,
      writes: new Map(),
    };
    this.claimPhysicalBucket(owner);
    this.stackBuckets.push(this.registered);
    if (args.existing) {
      this.bucketName = checkedName!;
      this.arn = pulumi.interpolate`arn:${this.ctx.partition}:s3:::${checkedName}`;
      this.sourceArn = this.arn;
    } else {
      const { policyStatements, ...secure } = args;
      const created = createSecureBucket(
        name,
        {
          ...secure,
          bucketName: checkedName,
          policyStatements: policyStatements ? () => policyStatements : undefined,
        },
        this,
      );
      this.bucket = created.bucket;
      this.policy = created.policy;
      this.bucketName = this.bucket.bucket;
      this.arn = this.bucket.arn;
      this.sourceArn = checkedName
        ? pulumi.interpolate`arn:${this.ctx.partition}:s3:::${checkedName}`
        : this.bucket.arn;
      this.kmsKeyArn = args.kmsKey?.arn;
    }

    this.entries = new SealedList(`the notification of bucket "${name}"`);
    const sealed = this.entries.values;
    const entry = (e: NativeEntry) => ({
      id: e.spec.name,
      events: e.spec.events,
      filterPrefix: e.spec.filter.prefix ? encodeFilterValue(e.spec.filter.prefix) : undefined,
      filterSuffix: e.spec.filter.suffix ? encodeFilterValue(e.spec.filter.suffix) : undefined,
    });
    const ofKind = (kind: NativeTargetKind) => sealed.then((list) => list.filter((e) => e.kind === kind));
    const dependencies: Promise<pulumi.Resource[]> = sealed.then((list) => list.flatMap((e) => e.dependsOn));
    const notificationArgs = {
      bucket: this.bucketName,
      lambdaFunctions: ofKind("lambda").then((l) =>
        l.map((e) => ({ ...entry(e), lambdaFunctionArn: e.arn })),
      ),
      queues: ofKind("sqs").then((l) => l.map((e) => ({ ...entry(e), queueArn: e.arn }))),
      topics: ofKind("sns").then((l) => l.map((e) => ({ ...entry(e), topicArn: e.arn }))),
      eventbridge: sealed.then(() =>
        this.routes.some((r) => r.delivery === "eventbridge") ? true : undefined,
      ),
    };
    const notificationOpts = { parent: this, dependsOn: dependencies };
    // An adopted bucket is shared: add this stack's entries (Ids pulumi:<organization>:<project>:<stack>:<route>)
    // next to everyone else's. A bucket created here is owned: one resource holds the whole configuration.
    this.notificationMode = args.existing ? "shared" : "owned";
    this.notification = args.existing
      ? new SharedBucketNotification(
          `${name}-notification`,
          {
            ...notificationArgs,
            eventbridge: notificationArgs.eventbridge.then((on) => on === true),
            region: this.ctx.region,
          },
          notificationOpts,
        )
      : new aws.s3.BucketNotification(`${name}-notification`, notificationArgs, notificationOpts);
    this.routeTable = pulumi.output(sealed.then(() => this.routes.map((r) => this.row(r))));

    for (const route of args.routes ?? []) this.addRoute(route);
    this.registerOutputs({
      bucketName: this.bucketName,
      arn: this.arn,
      routeTable: this.routeTable,
      notificationMode: this.notificationMode,
    });
  }

  /**
   * Adds a route. It is validated against every route already on the bucket at once, and joins the
   * bucket's single notification.
   *
   * The routing rule: call it in the synchronous run that constructed the bucket. The notification
   * seals at the first microtask after the constructor (see `SealedList`), so a call after any
   * `await` (a promise, `setTimeout(0)`, `setImmediate`), in a `.then` or inside an `apply` is
   * always the same exact error, on every run, under mocks and under `pulumi preview`/`up`.
   *
   * @throws Error naming the route at fault and the fix (unknown event, overlap, self-trigger), or
   *   when the notification is already final (a route added after an await or inside an apply).
   */
  addRoute(route: Route): RouteSpec {
    const owner = routeOwner(this.name, route?.name ?? `route${this.routes.length + 1}`);
    if (!route || typeof route !== "object" || !route.target || typeof route.target.bindRule !== "function") {
      throw ownerError(
        owner,
        `"target" must be a LambdaTarget, TopicTarget, QueueTarget, StateMachineTarget or WebhookTarget.`,
      );
    }
    const native = isNativeTarget(route.target);
    if (route.delivery === "native" && !native) {
      throw ownerError(
        owner,
        `${route.target.label} cannot be a native S3 destination (S3 only notifies Lambda, SNS and SQS). ` +
          `Use delivery: "eventbridge", or leave delivery out.`,
      );
    }
    // A write is to this bucket when it names this component or any component or name of the same
    // physical bucket; other writes keep the bucket's key, for chains across buckets.
    const self = bucketKey(this.registered);
    const writes: ObjectWrite[] = route.target.writes.map((w) => {
      const key = writeKey(this.stackBuckets, w.bucket);
      return { bucket: key === self ? "self" : key, filter: w.filter };
    });
    const delivery = route.delivery ?? (native ? "native" : "eventbridge");
    let spec = validateRoute(
      this.name,
      { ...route, delivery },
      this.routes.length,
      route.target.label,
      writes,
    );
    if (spec.delivery === "native" && route.delivery === undefined && this.onOverlap === "eventbridge") {
      const clash = findOverlaps([...this.routes.filter((r) => r.delivery === "native"), spec]).find(
        (o) => o.b === spec,
      );
      if (clash) spec = { ...spec, delivery: "eventbridge", reroutedFrom: clash.a.name };
    }
    validateBucketRoutes(this.name, [...this.routes, spec]);
    this.entries.assertOpen(routeSubject(this.name, spec.name));
    this.checkAcrossComponents(spec, route.target.writes);
    const ctx: BindContext = {
      bucketName: this.name,
      bucketId: this.bucketName,
      bucketArn: this.sourceArn,
      aws: this.ctx,
      route: spec,
      kmsKeyArn: this.kmsKeyArn,
    };
    if (spec.delivery === "native") {
      const binding = (route.target as NotificationTarget).bindNative(ctx);
      this.entries.add({ ...binding, spec }, routeSubject(this.name, spec.name));
    } else {
      this.bindRule(spec, route.target, ctx);
    }
    this.routes.push(spec);
    this.registered.writes.set(spec, route.target.writes);
    return spec;
  }

  /**
   * Refuses a physical bucket another component of this stack already declares in a way that would
   * clobber: created twice, or created by one and adopted by another (the created bucket's
   * `aws.s3.BucketNotification` writes the whole configuration and would delete the adopted one's
   * entries). Two adoptions of one bucket are allowed; their routes are then checked together.
   */
  private claimPhysicalBucket(owner: string): void {
    if (this.physicalName === undefined) return;
    const other = this.stackBuckets.find((b) => b.physicalName === this.physicalName);
    if (!other) return;
    const mine = this.registered.mode;
    if (mine === "shared" && other.mode === "shared") return;
    const how = (mode: "owned" | "shared") => (mode === "owned" ? "creates" : "adopts");
    throw new Error(
      `${owner} ${how(mine)} bucket "${this.physicalName}", which EventBucket "${other.logicalName}" of this stack ` +
        `already ${how(other.mode)}. ` +
        (mine === "owned" && other.mode === "owned"
          ? "A bucket name is unique in its partition: give one of them another bucketName."
          : "A bucket created here gets one aws.s3.BucketNotification that writes its whole configuration, so it " +
            "would delete the entries of the adopted one. Declare every route of this bucket on the EventBucket that creates it."),
    );
  }

  /**
   * Checks a new route against the routes every other component of this stack holds on the same
   * physical bucket (unique names: one entry Id each; S3's overlap rule), and against chains of
   * routes across buckets whose targets trigger each other forever.
   */
  private checkAcrossComponents(spec: RouteSpec, writes: readonly TargetWrite[]): void {
    const key = bucketKey(this.registered);
    const siblings = this.stackBuckets.filter((b) => b !== this.registered && bucketKey(b) === key);
    for (const sibling of siblings) {
      if (sibling.routes.some((r) => r.name === spec.name)) {
        const id =
          this.notificationMode === "shared"
            ? `the entry Id "${ownershipId(stackNamespace(), spec.name)}"`
            : "one entry Id";
        throw ownerError(
          routeOwner(this.name, spec.name),
          `EventBucket "${sibling.logicalName}" of this stack already has a ` +
            `route "${spec.name}" on bucket "${key}". Both would claim ${id}, and deleting one would remove the ` +
            `other's live entry. Route names are unique per physical bucket, whichever component holds them: give ` +
            `this route another name, or declare both routes on one EventBucket.`,
        );
      }
      if (spec.delivery !== "native") continue;
      const theirs = sibling.routes.filter((r) => r.delivery === "native");
      const clash = findOverlaps([...theirs, spec]).find((o) => o.b === spec);
      if (clash) {
        throw new Error(
          `EventBuckets "${sibling.logicalName}" (route "${clash.a.name}") and "${this.name}" (route "${spec.name}") ` +
            `of this stack route the same bucket "${key}". ${describeOverlap(key, clash)}`,
        );
      }
    }
    const pending = {
      ...this.registered,
      routes: [...this.routes, spec],
      writes: new Map(this.registered.writes).set(spec, writes),
    };
    const all = this.stackBuckets.map((b) => (b === this.registered ? pending : b));
    const chain = findTriggerCycle(resolvedRoutes(all), { bucket: key, route: spec.name });
    if (chain) throw new Error(describeTriggerCycle(routeOwner(this.name, spec.name), chain));
  }

  /** Creates the route's EventBridge rule and binds the target to it. */
  private bindRule(spec: RouteSpec, target: RuleTarget, ctx: BindContext): void {
    const owner = routeOwner(this.name, spec.name);
    // Validate synchronously (unsupported event types) before anything is registered.
    eventPatternFor(this.physicalName ?? "<bucket>", spec.events, spec.filter, owner);
    const ruleKey = `${this.name}-${spec.name}`;
    const rule = new aws.cloudwatch.EventRule(
      ruleKey,
      {
        description: `S3 events of bucket ${this.name}, route ${spec.name}`,
        eventPattern: this.bucketName.apply((bucket) =>
          JSON.stringify(eventPatternFor(bucket, spec.events, spec.filter, owner)),
        ),
      },
      { parent: this },
    );
    this.rules[spec.name] = rule;
    target.bindRule({ ruleKey, rule, aws: this.ctx, events: "object", object: ctx });
  }

  private row(r: RouteSpec): RouteRow {
    return {
      bucket: this.name,
      route: r.name,
      events: [...r.events],
      prefix: r.filter.prefix,
      suffix: r.filter.suffix,
      delivery: r.delivery,
      target: r.target,
      reroutedFrom: r.reroutedFrom,
    };
  }
}
