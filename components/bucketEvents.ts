/**
 * Bucket-level events — bucket creation and deletion, and on request policy and configuration
 * changes — as routes: CloudTrail records the calls (a trail with logging on: its own secure log
 * bucket, or an existing trail), and an EventBridge rule per route on
 * "AWS API Call via CloudTrail" from `s3.amazonaws.com` sends the chosen calls, for a bucket name
 * or name prefix, to any EventBridge target. One trail serves every route of the component.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  ARN_KINDS,
  arnOf,
  checkInput,
  checkRange,
  componentOwner,
  describeType,
  ownerError,
  requireArgs,
  routeOwner,
} from "./argCheck";
import { awsContext } from "./awsContext";
import {
  BucketCallGroup,
  bucketCallPattern,
  BucketSelector,
  resolveBucketCalls,
} from "../model/eventPattern";
import { createSecureBucket } from "./secureBucket";
import { RuleTarget } from "./target";

/** One route of bucket-level events. */
export interface BucketEventRoute {
  /** A name unique in the component; it names the rule. */
  name: string;
  /** Groups (`"created"`, `"deleted"`, `"policy"`, ...) or exact CloudTrail event names (`"CreateBucket"`). */
  calls: (BucketCallGroup | string)[];
  /** Which buckets: `{ name }`, `{ namePrefix }` or `"any"`. Default `"any"`. */
  buckets?: BucketSelector;
  /** Where the events go: any EventBridge target (a TopicTarget for an email alert, a WebhookTarget, ...). */
  target: RuleTarget;
}

/** Arguments of {@link BucketEvents}. */
export interface BucketEventsArgs {
  /** The routes: at least one, each with a unique name. */
  routes: BucketEventRoute[];
  /** Use an existing trail (logging on, management write events) instead of creating one: its ARN, a string or an Output. */
  existingTrailArn?: pulumi.Input<string>;
  /** Days the trail's log files are kept. Default 90. */
  logRetentionDays?: number;
  /** Let `pulumi destroy` delete the log bucket with its logs. Default false. */
  forceDestroy?: boolean;
  /** Protect the trail's log bucket from deletion. Default false. */
  protect?: boolean;
}

/** Bucket creation, deletion and configuration changes as EventBridge routes. */
export class BucketEvents extends pulumi.ComponentResource {
  /** The component's logical name. */
  readonly logicalName: string;
  /** The trail (undefined when an existing one is used). */
  readonly trail?: aws.cloudtrail.Trail;
  /** The trail's log bucket (undefined when an existing trail is used). */
  readonly logBucket?: aws.s3.Bucket;
  /** The rules, by route name. */
  readonly rules: Record<string, aws.cloudwatch.EventRule> = {};
  /** The event patterns, by route name, as plain data. */
  readonly patterns: Record<string, unknown> = {};

  /**
   * @param name  the component's name; children are `<name>-trail`, `<name>-logs`, `<name>-<route>`.
   * @param args  routes and trail settings.
   * @param opts  component options.
   */
  constructor(name: string, args: BucketEventsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("s3-event-routes:index:BucketEvents", name, {}, opts);
    const owner = componentOwner("BucketEvents", name);
    this.logicalName = name;
    requireArgs(owner, args, `{ routes: [{ name: "lifecycle", calls: ["created", "deleted"], target }] }`);
    checkRange(owner, "logRetentionDays", args.logRetentionDays, 1, 36_500);
    const existingTrail =
      args.existingTrailArn === undefined
        ? undefined
        : checkInput(
            owner,
            "existingTrailArn",
            args.existingTrailArn,
            arnOf(owner, "existingTrailArn", ARN_KINDS.trail),
          );
    const ctx = awsContext(this);
    if (!Array.isArray(args.routes) || args.routes.length === 0) {
      throw ownerError(
        owner,
        `no routes. Add at least one, e.g. { name: "lifecycle", calls: ["created", "deleted"], target }.`,
      );
    }
    const seen = new Set<string>();
    const resolved = args.routes.map((r) => {
      if (!r || typeof r !== "object" || typeof r.name !== "string" || !Array.isArray(r.calls)) {
        throw ownerError(
          owner,
          `each route needs a "name" (a string) and "calls" (a list), got ${describeType(r)}${
            r && typeof r === "object"
              ? ` with name ${describeType(r.name)} and calls ${describeType(r.calls)}`
              : ""
          }.`,
        );
      }
      const ofRoute = routeOwner(name, r.name, "BucketEvents");
      if (seen.has(r.name))
        throw ownerError(owner, `two routes are named "${r.name}". Give each route a unique name.`);
      seen.add(r.name);
      if (!r.target || typeof r.target.bindRule !== "function") {
        throw ownerError(
          ofRoute,
          `"target" must be an EventBridge target (topic, queue, function, state machine, webhook).`,
        );
      }
      const buckets = r.buckets ?? "any";
      if (buckets !== "any" && "namePrefix" in buckets && !buckets.namePrefix) {
        throw ownerError(ofRoute, `buckets.namePrefix is empty; use "any" to watch every bucket.`);
      }
      return { route: r, calls: resolveBucketCalls(r.calls, ofRoute), buckets };
    });

    let trailDependency: pulumi.Resource[] = [];
    if (!existingTrail) {
      const trailName = `${pulumi.getProject()}-${pulumi.getStack()}-${name}`.slice(0, 128);
      const trailArn = pulumi.interpolate`arn:${ctx.partition}:cloudtrail:${ctx.region}:${ctx.accountId}:trail/${trailName}`;
      const logs = createSecureBucket(
        `${name}-logs`,
        {
          forceDestroy: args.forceDestroy,
          protect: args.protect,
          policyStatements: (arn) => [
            {
              Sid: "CloudTrailAclCheck",
              Effect: "Allow",
              Principal: { Service: "cloudtrail.amazonaws.com" },
              Action: "s3:GetBucketAcl",
              Resource: arn,
              Condition: pulumi.all([trailArn]).apply(([t]) => ({ StringEquals: { "aws:SourceArn": t } })),
            },
            {
              Sid: "CloudTrailWrite",
              Effect: "Allow",
              Principal: { Service: "cloudtrail.amazonaws.com" },
              Action: "s3:PutObject",
              Resource: pulumi.interpolate`${arn}/AWSLogs/${ctx.accountId}/*`,
              Condition: pulumi.all([trailArn, ctx.accountId]).apply(([t, account]) => ({
                StringEquals: {
                  "aws:SourceArn": t,
                  "aws:SourceAccount": account,
                  "s3:x-amz-acl": "bucket-owner-full-control",
                },
              })),
            },
          ],
        },
        this,
      );
      this.logBucket = logs.bucket;
      new aws.s3.BucketLifecycleConfiguration(
        `${name}-logs-retention`,
        {
          bucket: logs.bucket.id,
          rules: [
            {
              id: "expire-trail-logs",
              status: "Enabled",
              filter: {},
              expiration: { days: args.logRetentionDays ?? 90 },
            },
          ],
        },
        { parent: this },
      );
      this.trail = new aws.cloudtrail.Trail(
        `${name}-trail`,
        {
          name: trailName,
          s3BucketName: logs.bucket.id,
          enableLogging: true,
          enableLogFileValidation: true,
          includeGlobalServiceEvents: true,
          isMultiRegionTrail: false,
          eventSelectors: [{ readWriteType: "WriteOnly", includeManagementEvents: true }],
        },
        { parent: this, dependsOn: logs.policy ? [logs.policy] : [] },
      );
      trailDependency = [this.trail];
    }

    for (const { route, calls, buckets } of resolved) {
      const pattern = bucketCallPattern(calls, buckets);
      this.patterns[route.name] = pattern;
      const ruleKey = `${name}-${route.name}`;
      const rule = new aws.cloudwatch.EventRule(
        ruleKey,
        {
          description: `S3 bucket calls ${calls.join(", ")}`.slice(0, 512),
          eventPattern: JSON.stringify(pattern),
        },
        { parent: this, dependsOn: trailDependency },
      );
      this.rules[route.name] = rule;
      route.target.bindRule({ ruleKey, rule, aws: ctx, events: "bucket-call" });
    }
    this.registerOutputs({
      trailArn: this.trail?.arn ?? existingTrail,
      routes: resolved.map(({ route, calls, buckets }) => ({
        route: route.name,
        calls,
        buckets: buckets === "any" ? "any" : "name" in buckets ? buckets.name : `${buckets.namePrefix}*`,
        target: route.target.label,
      })),
    });
  }
}
