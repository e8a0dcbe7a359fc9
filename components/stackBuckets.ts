/**
 * The bucket components of the running stack, by physical bucket: what lets one `EventBucket` see the
 * routes another holds on the same bucket, so that rules that hold per physical bucket (unique route
 * names, hence unique entry Ids; S3's overlap rule; chains of handlers that trigger each other) are
 * checked whichever component holds the routes.
 *
 * One registry per stack (keyed by the stack resource of `pulumi.runtime.getStackResource()`), so
 * programs run one after another in one process (tests, Automation API) do not see each other.
 * Components built outside a stack (no stack resource) are not registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { BucketRoutes, RouteSpec } from "../model/routeModel";
import { TargetWrite } from "./target";

/** A bucket component as the registry holds it. */
export interface RegisteredBucket {
  /** The component (compared by identity with a target's `writes[].bucket`). */
  component: object;
  /** The component's logical name. */
  logicalName: string;
  /** The physical bucket name, when known at construction. */
  physicalName?: string;
  /** `"owned"`: created here, its notification is the whole configuration; `"shared"`: adopted. */
  mode: "owned" | "shared";
  /** Its validated routes (the component's own list). */
  routes: readonly RouteSpec[];
  /** Where each route's target writes, as the target declared it (resolved when checked). */
  writes: Map<RouteSpec, readonly TargetWrite[]>;
}

const registries = new WeakMap<object, RegisteredBucket[]>();

/** The bucket components of the running stack (a fresh list outside any stack). */
export function stackBuckets(): RegisteredBucket[] {
  const stack = pulumi.runtime.getStackResource();
  if (!stack) return [];
  let list = registries.get(stack);
  if (!list) {
    list = [];
    registries.set(stack, list);
  }
  return list;
}

/** The key of a bucket: its physical name when known, else a text no bucket name can be. */
export function bucketKey(b: Pick<RegisteredBucket, "physicalName" | "logicalName">): string {
  return b.physicalName ?? `<EventBucket "${b.logicalName}">`;
}

/** How messages name a bucket component's bucket. */
export function bucketLabel(b: Pick<RegisteredBucket, "physicalName" | "logicalName">): string {
  return b.physicalName
    ? `bucket "${b.physicalName}" (EventBucket "${b.logicalName}")`
    : `the bucket of EventBucket "${b.logicalName}"`;
}

/**
 * The key of the bucket a target writes to: a component's key when it is a registered bucket
 * component, the name when it is a string, otherwise a text that matches no bucket.
 */
export function writeKey(buckets: readonly RegisteredBucket[], bucket: object | string): string {
  if (typeof bucket === "string") return bucket;
  const found = buckets.find((b) => b.component === bucket);
  return found ? bucketKey(found) : "<a bucket not declared with EventBucket>";
}

/** Every registered bucket with its routes' writes resolved to bucket keys, for the chain check. */
export function resolvedRoutes(buckets: readonly RegisteredBucket[]): BucketRoutes[] {
  return buckets.map((b) => ({
    bucket: bucketKey(b),
    label: bucketLabel(b),
    routes: b.routes.map((r) => ({
      ...r,
      writes: (b.writes.get(r) ?? []).map((w, i) => ({
        bucket: writeKey(buckets, w.bucket),
        filter: r.writes[i]?.filter ?? w.filter,
      })),
    })),
  }));
}
