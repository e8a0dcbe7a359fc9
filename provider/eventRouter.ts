/**
 * EventRouter: the package's one component for every Pulumi language. A bucket (created, or
 * adopted by name), its targets described as plain data, and the routes between them — built
 * with the very components a TypeScript program uses ({@link EventBucket} and the targets), so
 * that a Python, Go, .NET or YAML program gets the same resources, checks and exact messages.
 *
 * Every public property is an output of the schema (Pulumi's analyzer turns each one into an
 * output, private ones too): primitives, lists, maps and `@pulumi/aws` resources only.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EventBucket, EventSelector, Route as BucketRoute } from "../components";
import { EventRouterArgs, RouteTableRow } from "./routerArgs";
import { assertPlainData, routerErrors } from "./routerErrors";
import { buildTargets } from "./routerTargets";

/**
 * An S3 bucket that routes its object events to Lambda functions, SQS queues, SNS topics, Step
 * Functions state machines and webhooks: one notification per bucket, overlaps refused before
 * deploy, every permission scoped to the bucket and account, retries and dead-letter queues on
 * every path.
 */
export class EventRouter extends pulumi.ComponentResource {
  /** The bucket's physical name. */
  readonly bucketName: pulumi.Output<string>;
  /** The bucket's ARN. */
  readonly bucketArn: pulumi.Output<string>;
  /** The bucket, when the router created it (absent when adopted). */
  readonly bucket?: aws.s3.Bucket;
  /** `owned` (one notification resource holds the bucket's whole configuration) or `shared` (an adopted bucket). */
  readonly notificationMode: pulumi.Output<string>;
  /** The routes as validated: events resolved, delivery decided, target labelled. */
  readonly routeTable: pulumi.Output<RouteTableRow[]>;
  /** Each target's ARN, by target name (a webhook's is its API destination). */
  readonly targetArns: pulumi.Output<Record<string, string>>;
  /** Every dead-letter queue of the router's targets: where events end when every retry failed. */
  readonly deadLetterQueues: aws.sqs.Queue[];
  /** The dead-letter queues' ARNs, by the queue's logical name. */
  readonly deadLetterQueueArns: pulumi.Output<Record<string, string>>;

  /**
   * @param name  the router's name; the bucket component takes it, each target is `<name>-<target>`.
   * @param args  the bucket, the targets and the routes, as plain data.
   * @param opts  component options.
   */
  constructor(name: string, args: EventRouterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("s3-event-routes:index:EventRouter", name, {}, opts);
    const owner = `EventRouter "${name}"`;
    assertPlainData(owner, args ?? {}, "");
    if (!Array.isArray(args?.targets)) {
      throw new Error(
        routerErrors.notList(owner, "targets", `[{ name: "thumbnails", kind: "lambda", ... }]`),
      );
    }
    if (!Array.isArray(args.routes)) {
      throw new Error(
        routerErrors.notList(owner, "routes", `[{ events: ["created"], target: "thumbnails" }]`),
      );
    }
    const targets = buildTargets(name, owner, args.targets, this);
    const names = [...targets.keys()];
    const routes: BucketRoute[] = args.routes.map((r, i) => {
      const where = `route "${r?.name ?? `route${i + 1}`}"`;
      const found = typeof r?.target === "string" ? targets.get(r.target) : undefined;
      if (!found) throw new Error(routerErrors.unknownTarget(owner, where, "target", r?.target, names));
      return {
        name: r.name,
        // Other languages send plain strings: EventBucket checks each one at run time (with "did you mean").
        events: r.events as EventSelector[],
        filter:
          r.prefix !== undefined || r.suffix !== undefined
            ? { prefix: r.prefix, suffix: r.suffix }
            : undefined,
        delivery: r.delivery,
        target: found.target,
      };
    });
    const bucket = new EventBucket(
      name,
      {
        existing: args.existing ? { bucketName: args.existing.bucketName } : undefined,
        bucketName: args.bucketName,
        versioning: args.versioning,
        forceDestroy: args.forceDestroy,
        onOverlap: args.onOverlap,
        routes,
      },
      { parent: this },
    );

    this.bucketName = bucket.bucketName;
    this.bucketArn = bucket.arn;
    this.bucket = bucket.bucket;
    this.notificationMode = pulumi.output(bucket.notificationMode);
    this.routeTable = bucket.routeTable.apply((rows) =>
      rows.map((r) => ({
        route: r.route,
        // Other languages send plain strings: EventBucket checks each one at run time (with "did you mean").
        events: r.events as EventSelector[],
        prefix: r.prefix,
        suffix: r.suffix,
        delivery: r.delivery,
        target: r.target,
        reroutedFrom: r.reroutedFrom,
      })),
    );
    this.targetArns = pulumi.all(Object.fromEntries([...targets].map(([n, t]) => [n, t.arn])));
    // Rule bindings create some dead-letter queues while the bucket is built: collect them after it.
    const queues = [...new Set([...targets.values()].flatMap((t) => t.target.deadLetterQueues()))];
    this.deadLetterQueues = queues.map((q) => q.queue);
    this.deadLetterQueueArns = pulumi.all(Object.fromEntries(queues.map((q) => [q.logicalName, q.arn])));
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      ...(this.bucket ? { bucket: this.bucket } : {}),
      notificationMode: this.notificationMode,
      routeTable: this.routeTable,
      targetArns: this.targetArns,
      deadLetterQueues: this.deadLetterQueues,
      deadLetterQueueArns: this.deadLetterQueueArns,
    });
  }
}
