/**
 * The stacks the scale and graph benchmarks declare: `buckets` buckets with `routesPerBucket`
 * routes each, every route on its own prefix (`p<r>/`, so no two overlap), `created` events, and
 * targets rotating Lambda → SQS → SNS by route index. Both sides (hand-written @pulumi/aws and
 * the components) read the same plan, so they declare the same routes.
 */
import * as pulumi from "@pulumi/pulumi";

/** How many buckets and routes. */
export interface Shape {
  /** Buckets in the stack. */
  buckets: number;
  /** Routes on each bucket. */
  routesPerBucket: number;
}

/** The kind of target a route goes to. */
export type Kind = "lambda" | "sqs" | "sns";

/** One planned route. */
export interface PlannedRoute {
  /** The route's name, unique on its bucket. */
  name: string;
  /** The route's index on its bucket. */
  index: number;
  /** The prefix, distinct per route. */
  prefix: string;
  /** Where it goes. */
  kind: Kind;
}

const KINDS: readonly Kind[] = ["lambda", "sqs", "sns"];

/** The routes of one bucket. */
export function routesOf(shape: Shape): PlannedRoute[] {
  return Array.from({ length: shape.routesPerBucket }, (_, index) => ({
    name: `r${index}`,
    index,
    prefix: `p${index}/`,
    kind: KINDS[index % KINDS.length],
  }));
}

/** The bucket names b0, b1, ... */
export function bucketNames(shape: Shape): string[] {
  return Array.from({ length: shape.buckets }, (_, i) => `b${i}`);
}

/** One tiny archive for every function of both sides (the benchmarks measure declarations, not bundling). */
export const BENCH_CODE = new pulumi.asset.AssetArchive({
  "index.js": new pulumi.asset.StringAsset("exports.handler = async () => {};"),
});
