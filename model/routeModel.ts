/**
 * The route model: what a route is once validated, and the rules that hold across the routes of a
 * bucket (unique names, S3's overlap rule, handlers that would trigger themselves).
 *
 * Pure: no Pulumi or AWS import. The policy pack calls {@link findOverlaps} on raw notification
 * entries, so the component and the policy enforce one and the same rule.
 */
import {
  ConcreteEventType,
  describeEventTypes,
  EventSelector,
  expandEventType,
  isS3EventType,
  resolveEventSelectors,
  S3EventType,
  sharedEventTypes,
} from "./eventTypes";
import { describeFilter, filtersOverlap, ObjectFilter, validateObjectFilter } from "./objectFilter";
import { componentOwner, ownerError, routeOwner } from "./argumentError";

/** How a route's events reach its target. */
export type Delivery = "native" | "eventbridge";

/** The kinds of target a native S3 notification entry can name. */
export type NativeTargetKind = "lambda" | "sns" | "sqs";

/** Where a target writes objects, so that a route that would trigger its own target is refused. */
export interface ObjectWrite {
  /**
   * `"self"` for the bucket the route is on, otherwise the bucket written to: its physical name when
   * known (what `findTriggerCycle` compares), or any other text that names no bucket of the stack.
   */
  bucket: "self" | string;
  /** The keys written, as a filter (prefix and/or suffix). */
  filter: ObjectFilter;
}

/** A route as the user describes it, before validation. */
export interface RouteInput {
  /**
   * A name unique on its bucket; it appears in errors, in the plan and in the notification entry's Id.
   * A letter or digit, then at most 62 letters, digits, `.`, `_` or `-`. Default `route<n>` (its position, from 1).
   */
  name?: string;
  /**
   * Friendly names (`"created"`, `"removed"`, ...) or exact S3 event types (`"s3:ObjectCreated:Put"`),
   * typed from the catalogue: a misspelt name (`"s3:ObjectCreated:Putt"`) does not compile, and from
   * JavaScript it fails at construction with the closest valid name.
   */
  events: readonly EventSelector[];
  /**
   * Which objects; omitted means the whole bucket. Literal prefix and suffix as the keys are written
   * (no `*` wildcards, no leading `/`), each at most 1,024 characters once URL-encoded.
   */
  filter?: ObjectFilter;
  /**
   * How events are delivered: `"native"` (an entry of the bucket's S3 notification; LambdaTarget,
   * TopicTarget and QueueTarget only) or `"eventbridge"` (an EventBridge rule; every target). The
   * default depends on the target: `"native"` for a LambdaTarget, TopicTarget or QueueTarget,
   * `"eventbridge"` for a StateMachineTarget or WebhookTarget (which S3 cannot notify). When the
   * bucket's `onOverlap` is `"eventbridge"`, a route left to the native default that would overlap a
   * native route already on the bucket goes through EventBridge instead (an explicit `"native"` fails).
   */
  delivery?: Delivery;
}

/** A validated route: resolved event types, normalised filter, a name. */
export interface RouteSpec {
  /** The route's name, unique on its bucket. */
  name: string;
  /** Resolved S3 event types (wildcards kept, covered duplicates dropped). */
  events: S3EventType[];
  /** Normalised filter (no empty strings). */
  filter: ObjectFilter;
  /** How events are delivered. */
  delivery: Delivery;
  /** A label for the target, for messages and the plan. */
  target: string;
  /** Where the target writes objects, if anywhere. */
  writes: ObjectWrite[];
  /** Set when the bucket sent this route through EventBridge because natively it would overlap that route. */
  reroutedFrom?: string;
}

/** A notification entry as S3 sees it: the minimal shape the overlap rule needs. */
export interface NotificationEntryLike {
  /** A name for messages: the route name, or the entry's Id. */
  name: string;
  /** S3 event types (unknown strings are ignored). */
  events: readonly string[];
  /** The entry's filter. */
  filter?: ObjectFilter;
}

/** Two entries S3 would reject together. */
export interface Overlap {
  /** The first entry, in declaration order. */
  a: NotificationEntryLike;
  /** The second entry. */
  b: NotificationEntryLike;
  /** The concrete event types they share. */
  shared: ConcreteEventType[];
}

/** Valid route names: what a Pulumi resource name and an S3 notification Id accept comfortably. */
const ROUTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Validates one route of a bucket.
 *
 * @param bucket  the bucket's logical name, for messages.
 * @param index   the route's position, used for its default name (`route1`, `route2`, ...).
 * @throws Error naming the bucket, the route and the fix.
 */
export function validateRoute(
  bucket: string,
  route: RouteInput,
  index: number,
  target: string,
  writes: readonly ObjectWrite[] = [],
): RouteSpec {
  const name = route.name ?? `route${index + 1}`;
  const owner = routeOwner(bucket, name);
  if (!ROUTE_NAME.test(name)) {
    throw ownerError(
      owner,
      `the name must start with a letter or digit and hold at most 63 letters, digits, ".", "_" or "-".`,
    );
  }
  if (!Array.isArray(route.events)) {
    throw ownerError(owner, `"events" must be a list, for example ["created"].`);
  }
  const delivery = route.delivery ?? "native";
  if (delivery !== "native" && delivery !== "eventbridge") {
    throw ownerError(owner, `delivery must be "native" or "eventbridge", got "${String(delivery)}".`);
  }
  return {
    name,
    events: resolveEventSelectors(route.events, owner),
    filter: validateObjectFilter(route.filter, owner),
    delivery,
    target,
    writes: writes.map((w) => ({
      bucket: w.bucket,
      filter: validateObjectFilter(w.filter, `${owner}, target writes`),
    })),
  };
}

/** Every pair of entries that share an event type and whose filters overlap, in declaration order. */
export function findOverlaps(entries: readonly NotificationEntryLike[]): Overlap[] {
  const out: Overlap[] = [];
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const a = entries[i];
      const b = entries[j];
      if (!filtersOverlap(a.filter, b.filter)) continue;
      const shared = sharedEventTypes(a.events, b.events);
      if (shared.length > 0) out.push({ a, b, shared });
    }
  }
  return out;
}

/** The message for an overlap: names both entries, what they share, and what to do. */
export function describeOverlap(bucket: string, o: Overlap, kind = "Routes"): string {
  return (
    `${kind} "${o.a.name}" and "${o.b.name}" on bucket "${bucket}" overlap: both receive ` +
    `${describeEventTypes(o.shared)} and their filters (${describeFilter(o.a.filter)} vs ${describeFilter(o.b.filter)}) ` +
    `can match the same key, which S3 rejects ("Configuration is ambiguously defined"). ` +
    `Fan out through one SNS topic subscribed by both consumers, deliver one of them through EventBridge ` +
    `(delivery: "eventbridge"), or make their prefixes or suffixes disjoint.`
  );
}

/** The routes whose target writes objects that the route itself would be notified of. */
export function findSelfTriggers(routes: readonly RouteSpec[]): { route: RouteSpec; write: ObjectWrite }[] {
  const out: { route: RouteSpec; write: ObjectWrite }[] = [];
  for (const route of routes) {
    if (!firesOnCreate(route)) continue;
    for (const write of route.writes) {
      if (write.bucket === "self" && filtersOverlap(route.filter, write.filter)) out.push({ route, write });
    }
  }
  return out;
}

/** The routes of one bucket component, as {@link findTriggerCycle} sees them. */
export interface BucketRoutes {
  /**
   * The physical bucket: its name when known, else a text unique to the component that no bucket name
   * can be (e.g. `<EventBucket "media">`). Components with the same key are the same bucket.
   */
  bucket: string;
  /** How messages name it, e.g. `bucket "team-media" (EventBucket "media")`. */
  label: string;
  /** Its routes. A write to `"self"` is a write to this bucket; any other names a bucket key. */
  routes: readonly RouteSpec[];
}

/** One link of a trigger chain: a route whose target writes objects another route is notified of. */
export interface TriggerStep {
  /** The bucket the route is on. */
  bucket: BucketRoutes;
  /** The route notified. */
  route: RouteSpec;
  /** Where its target writes: objects the next step's route is notified of. */
  write: ObjectWrite;
}

function firesOnCreate(route: RouteSpec): boolean {
  return route.events.some((e) => expandEventType(e).some((t) => t.startsWith("s3:ObjectCreated:")));
}

/**
 * A chain of routes that triggers itself forever, through the route `start`: its target writes
 * objects that a route (on this bucket or on another, compared by physical bucket) is notified of on
 * creation, whose target writes objects that ... the first route is notified of again. A route whose
 * target writes into its own filter is the chain of one step. Buckets with the same key are one
 * physical bucket, whichever components hold their routes.
 *
 * @param buckets  every bucket component of the stack with its routes.
 * @param start    the bucket key and route name the chain must go through (the route being added).
 * @returns the chain's steps from `start`, or undefined when there is none.
 */
export function findTriggerCycle(
  buckets: readonly BucketRoutes[],
  start: { bucket: string; route: string },
): TriggerStep[] | undefined {
  type Node = { bucket: BucketRoutes; route: RouteSpec };
  const nodes: Node[] = buckets.flatMap((b) =>
    b.routes.filter(firesOnCreate).map((route) => ({ bucket: b, route })),
  );
  const first = nodes.find((n) => n.bucket.bucket === start.bucket && n.route.name === start.route);
  if (!first) return undefined;
  const next = (n: Node): { to: Node; write: ObjectWrite }[] =>
    n.route.writes.flatMap((write) => {
      const key = write.bucket === "self" ? n.bucket.bucket : write.bucket;
      return nodes
        .filter((m) => m.bucket.bucket === key && filtersOverlap(m.route.filter, write.filter))
        .map((to) => ({ to, write }));
    });
  // Breadth first from the start, so the shortest chain is reported.
  const via = new Map<Node, { from: Node; write: ObjectWrite }>();
  const queue: Node[] = [first];
  const seen = new Set<Node>();
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const { to, write } of next(n)) {
      if (to === first) {
        const steps: TriggerStep[] = [{ ...n, write }];
        for (let at = n; at !== first;) {
          const back = via.get(at)!;
          steps.unshift({ ...back.from, write: back.write });
          at = back.from;
        }
        return steps;
      }
      if (seen.has(to)) continue;
      seen.add(to);
      via.set(to, { from: n, write });
      queue.push(to);
    }
  }
  return undefined;
}

/**
 * The message for a trigger chain of two steps or more, or of one step across bucket components
 * (a chain of one step within one component is {@link validateBucketRoutes}' message).
 */
export function describeTriggerCycle(owner: string, steps: readonly TriggerStep[]): string {
  const parts = steps.map((s, i) => {
    const to = steps[(i + 1) % steps.length];
    const lead = i === 0 ? `its target ${s.route.target}` : `sends them to ${s.route.target}, which`;
    return (
      `${lead} writes objects (${describeFilter(s.write.filter)}) into ${to.bucket.label}, where route ` +
      `"${to.route.name}" (${describeFilter(to.route.filter)})`
    );
  });
  return (
    `${owner}: ${parts.join(" ")} is notified of them again: every object written triggers the chain again, ` +
    `forever. At one of these steps write to a prefix outside the next route's filter, or narrow that route's filter.`
  );
}

/**
 * Validates all routes of one bucket together: unique names, no native overlap, no self-trigger.
 *
 * @throws Error for the first problem found, naming the routes at fault and the fix.
 */
export function validateBucketRoutes(bucket: string, routes: readonly RouteSpec[]): void {
  const seen = new Set<string>();
  for (const r of routes) {
    if (seen.has(r.name)) {
      throw ownerError(
        componentOwner("Bucket", bucket),
        `two routes are named "${r.name}". Give each route a unique name.`,
      );
    }
    seen.add(r.name);
  }
  const overlaps = findOverlaps(routes.filter((r) => r.delivery === "native"));
  if (overlaps.length > 0) throw new Error(describeOverlap(bucket, overlaps[0]));
  const loops = findSelfTriggers(routes);
  if (loops.length > 0) {
    const { route, write } = loops[0];
    throw new Error(
      `Bucket "${bucket}", route "${route.name}": its target ${route.target} writes objects (${describeFilter(write.filter)}) ` +
        `into this bucket that the route itself is notified of (${describeFilter(route.filter)}), so it would invoke itself ` +
        `forever. Write to another bucket or to a prefix outside the route's filter, or narrow the route's filter.`,
    );
  }
}

/** Filters out strings that are not S3 event types (for entries read from raw programs). */
export function knownEventTypes(events: readonly string[]): S3EventType[] {
  return events.filter(isS3EventType);
}
