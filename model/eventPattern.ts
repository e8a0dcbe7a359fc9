/**
 * From a route to an EventBridge event pattern, and a matcher for such patterns.
 *
 * S3 sends object events to EventBridge with a `detail-type` per family ("Object Created",
 * "Object Deleted", ...) and `detail.reason` / `detail.deletion-type` telling the operation; keys
 * there are NOT URL-encoded, so patterns match the decoded key the user wrote.
 *
 * Pure: no Pulumi or AWS import, shared by the components, the policy pack, the plan and the
 * local event loop.
 */
import { ConcreteEventType, expandEventType, S3EventType } from "./eventTypes";
import { ObjectFilter } from "./objectFilter";
import { ownerError } from "./argumentError";

/** An EventBridge event pattern (the subset this product writes and matches). */
export type EventPattern = { [field: string]: PatternValue };
type PatternValue = EventPattern | PatternLeaf[] | EventPattern[];
type PatternLeaf = string | number | boolean | null | Record<string, unknown>;

/** How one concrete S3 event type appears on EventBridge. */
export interface BridgeShape {
  /** The detail-type. */
  detailType: string;
  /** Further detail fields that single out this type within its detail-type. */
  detail?: Record<string, string[]>;
}

/** The EventBridge shape of each concrete S3 event type that EventBridge carries. */
export const EVENTBRIDGE_SHAPES: Partial<Record<ConcreteEventType, BridgeShape>> = {
  "s3:ObjectCreated:Put": { detailType: "Object Created", detail: { reason: ["PutObject"] } },
  "s3:ObjectCreated:Post": { detailType: "Object Created", detail: { reason: ["POST Object"] } },
  "s3:ObjectCreated:Copy": { detailType: "Object Created", detail: { reason: ["CopyObject"] } },
  "s3:ObjectCreated:CompleteMultipartUpload": {
    detailType: "Object Created",
    detail: { reason: ["CompleteMultipartUpload"] },
  },
  "s3:ObjectRemoved:Delete": {
    detailType: "Object Deleted",
    detail: { reason: ["DeleteObject"], "deletion-type": ["Permanently Deleted"] },
  },
  "s3:ObjectRemoved:DeleteMarkerCreated": {
    detailType: "Object Deleted",
    detail: { reason: ["DeleteObject"], "deletion-type": ["Delete Marker Created"] },
  },
  "s3:LifecycleExpiration:Delete": {
    detailType: "Object Deleted",
    detail: { reason: ["Lifecycle Expiration"], "deletion-type": ["Permanently Deleted"] },
  },
  "s3:LifecycleExpiration:DeleteMarkerCreated": {
    detailType: "Object Deleted",
    detail: { reason: ["Lifecycle Expiration"], "deletion-type": ["Delete Marker Created"] },
  },
  "s3:ObjectRestore:Post": { detailType: "Object Restore Initiated" },
  "s3:ObjectRestore:Completed": { detailType: "Object Restore Completed" },
  "s3:ObjectRestore:Delete": { detailType: "Object Restore Expired" },
  "s3:ObjectTagging:Put": { detailType: "Object Tags Added" },
  "s3:ObjectTagging:Delete": { detailType: "Object Tags Deleted" },
  "s3:ObjectAcl:Put": { detailType: "Object ACL Updated" },
  "s3:LifecycleTransition": { detailType: "Object Storage Class Changed" },
  "s3:IntelligentTiering": { detailType: "Object Access Tier Changed" },
};

/**
 * The fields an EventBridge S3 event carries for a concrete event type: its detail-type and the
 * detail fields that single it out (one value each), or undefined when EventBridge does not carry it.
 */
export function eventBridgeFields(
  type: ConcreteEventType,
): { detailType: string; detail: Record<string, string> } | undefined {
  const shape = EVENTBRIDGE_SHAPES[type];
  if (!shape) return undefined;
  const detail: Record<string, string> = {};
  for (const [field, values] of Object.entries(shape.detail ?? {})) detail[field] = values[0];
  return { detailType: shape.detailType, detail };
}

/** Every detail-type S3 sends to EventBridge for objects. */
export const OBJECT_DETAIL_TYPES = [...new Set(Object.values(EVENTBRIDGE_SHAPES).map((s) => s!.detailType))];

/**
 * The event pattern of a route delivered through EventBridge.
 *
 * Types whose whole detail-type is selected match on detail-type alone; a part of a detail-type
 * (e.g. only `s3:ObjectCreated:Put`) adds its `reason` / `deletion-type`; different parts become
 * branches of `$or`. The key filter becomes `prefix`, `suffix`, or, for both, a `wildcard`.
 *
 * @param bucketName  the bucket's physical name.
 * @param owner       who asks, for the error.
 * @throws Error naming the event types EventBridge does not carry.
 */
export function eventPatternFor(
  bucketName: string,
  events: readonly S3EventType[],
  filter: ObjectFilter,
  owner: string,
): EventPattern {
  const concrete = [...new Set(events.flatMap((e) => expandEventType(e)))];
  const unsupported = concrete.filter((t) => !EVENTBRIDGE_SHAPES[t]);
  if (unsupported.length > 0) {
    throw ownerError(
      owner,
      `EventBridge does not carry ${unsupported.join(", ")}. Deliver ${unsupported.length > 1 ? "these" : "this"} ` +
        `through a native notification (delivery: "native") instead.`,
    );
  }
  const detail: EventPattern = { bucket: { name: [bucketName] } };
  const key = keyMatcher(filter);
  if (key) detail.object = { key: [key] };

  // Group the selected types by detail-type; a group is whole when every type of it is selected.
  const groups = new Map<string, ConcreteEventType[]>();
  for (const t of concrete) {
    const dt = EVENTBRIDGE_SHAPES[t]!.detailType;
    groups.set(dt, [...(groups.get(dt) ?? []), t]);
  }
  const whole: string[] = [];
  const partial: { detailType: string; detail: Record<string, string[]> }[] = [];
  for (const [dt, types] of groups) {
    const all = (Object.keys(EVENTBRIDGE_SHAPES) as ConcreteEventType[]).filter(
      (t) => EVENTBRIDGE_SHAPES[t]!.detailType === dt,
    );
    if (all.every((t) => types.includes(t))) {
      whole.push(dt);
    } else {
      for (const t of types) partial.push({ detailType: dt, detail: { ...EVENTBRIDGE_SHAPES[t]!.detail } });
    }
  }
  const merged = mergePartials(partial);
  const branches: EventPattern[] = [];
  if (whole.length > 0) branches.push({ "detail-type": whole, detail });
  for (const p of merged)
    branches.push({ "detail-type": [p.detailType], detail: { ...detail, ...p.detail } });
  if (branches.length === 1) return { source: ["aws.s3"], ...branches[0] };
  return { source: ["aws.s3"], $or: branches };
}

/** Merges partial selections of one detail-type that differ in a single field (e.g. two reasons). */
function mergePartials(
  partial: { detailType: string; detail: Record<string, string[]> }[],
): { detailType: string; detail: Record<string, string[]> }[] {
  const out: { detailType: string; detail: Record<string, string[]> }[] = [];
  for (const p of partial) {
    const twin = out.find((o) => {
      if (o.detailType !== p.detailType) return false;
      const keys = new Set([...Object.keys(o.detail), ...Object.keys(p.detail)]);
      const differing = [...keys].filter((k) => JSON.stringify(o.detail[k]) !== JSON.stringify(p.detail[k]));
      return differing.length === 1 && o.detail[differing[0]] && p.detail[differing[0]];
    });
    if (!twin) {
      out.push({ detailType: p.detailType, detail: { ...p.detail } });
      continue;
    }
    for (const k of Object.keys(p.detail)) {
      twin.detail[k] = [...new Set([...(twin.detail[k] ?? []), ...p.detail[k]])];
    }
  }
  return out;
}

/** The key matcher of a filter: prefix, suffix, or both as a wildcard (with `*` and `\` escaped). */
export function keyMatcher(filter: ObjectFilter): Record<string, string> | undefined {
  const { prefix, suffix } = filter;
  if (prefix && suffix) return { wildcard: `${escapeWildcard(prefix)}*${escapeWildcard(suffix)}` };
  if (prefix) return { prefix };
  if (suffix) return { suffix };
  return undefined;
}

function escapeWildcard(value: string): string {
  return value.replace(/[\\*]/g, (c) => `\\${c}`);
}

/**
 * Whether `event` matches `pattern`, with EventBridge's semantics for what this product writes:
 * arrays of exact values (OR), `prefix`, `suffix`, `wildcard`, `anything-but`, `exists`, nested
 * objects (AND) and `$or`.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (event === null || typeof event !== "object") return false;
  const obj = event as Record<string, unknown>;
  for (const [field, expected] of Object.entries(pattern)) {
    if (field === "$or") {
      if (!(expected as EventPattern[]).some((branch) => matchesPattern(branch, event))) return false;
      continue;
    }
    const actual = obj[field];
    if (Array.isArray(expected)) {
      if (!matchesLeaves(expected as PatternLeaf[], actual)) return false;
    } else if (!matchesPattern(expected as EventPattern, actual)) {
      return false;
    }
  }
  return true;
}

function matchesLeaves(leaves: PatternLeaf[], actual: unknown): boolean {
  const values = Array.isArray(actual) ? actual : [actual];
  return leaves.some((leaf) => {
    if (leaf !== null && typeof leaf === "object") {
      const rule = leaf as Record<string, unknown>;
      if ("exists" in rule) return (actual !== undefined) === rule.exists;
      return values.some((v) => matchesRule(rule, v));
    }
    return values.some((v) => v === leaf);
  });
}

function matchesRule(rule: Record<string, unknown>, value: unknown): boolean {
  if (typeof rule.prefix === "string") return typeof value === "string" && value.startsWith(rule.prefix);
  if (typeof rule.suffix === "string") return typeof value === "string" && value.endsWith(rule.suffix);
  if (typeof rule.wildcard === "string")
    return typeof value === "string" && wildcardRegExp(rule.wildcard).test(value);
  if ("anything-but" in rule) {
    const but = rule["anything-but"];
    return value !== undefined && !(Array.isArray(but) ? but : [but]).includes(value);
  }
  throw new Error(`Unsupported pattern rule ${JSON.stringify(rule)}.`);
}

function wildcardRegExp(wildcard: string): RegExp {
  let source = "";
  for (let i = 0; i < wildcard.length; i++) {
    const c = wildcard[i];
    if (c === "\\" && i + 1 < wildcard.length) source += escapeRegExp(wildcard[++i]);
    else if (c === "*") source += "[\\s\\S]*";
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Bucket-level API calls (CloudTrail management events) a bucket-event route can select. */
export const BUCKET_CALLS = {
  created: ["CreateBucket"],
  deleted: ["DeleteBucket"],
  policy: ["PutBucketPolicy", "DeleteBucketPolicy"],
  acl: ["PutBucketAcl"],
  encryption: ["PutBucketEncryption", "DeleteBucketEncryption"],
  "public-access": ["PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock"],
  versioning: ["PutBucketVersioning"],
  notification: ["PutBucketNotification"],
  lifecycle: ["PutBucketLifecycle", "DeleteBucketLifecycle"],
  replication: ["PutBucketReplication", "DeleteBucketReplication"],
  tagging: ["PutBucketTagging", "DeleteBucketTagging"],
  cors: ["PutBucketCors", "DeleteBucketCors"],
  website: ["PutBucketWebsite", "DeleteBucketWebsite"],
  logging: ["PutBucketLogging"],
  ownership: ["PutBucketOwnershipControls", "DeleteBucketOwnershipControls"],
} as const satisfies Record<string, readonly string[]>;

/** A friendly bucket-call group, such as `"created"` or `"policy"`. */
export type BucketCallGroup = keyof typeof BUCKET_CALLS;

const ALL_BUCKET_CALLS = new Set<string>(Object.values(BUCKET_CALLS).flat());

/** Which buckets a bucket-event route watches: one name, or every name with a prefix. */
export type BucketSelector =
  | {
      /** Exactly this bucket. */
      name: string;
    }
  | {
      /** Every bucket whose name starts with this (not empty). */
      namePrefix: string;
    }
  | "any";

/**
 * Resolves friendly groups and exact CloudTrail event names to the exact names.
 *
 * @throws Error naming the unknown call and listing what is accepted.
 */
export function resolveBucketCalls(calls: readonly string[], owner: string): string[] {
  if (calls.length === 0) {
    throw ownerError(
      owner,
      `the list of bucket calls is empty. Name at least one, for example ["created", "deleted"].`,
    );
  }
  const out: string[] = [];
  for (const c of calls) {
    const names: readonly string[] = Object.prototype.hasOwnProperty.call(BUCKET_CALLS, c)
      ? BUCKET_CALLS[c as BucketCallGroup]
      : ALL_BUCKET_CALLS.has(c)
        ? [c]
        : [];
    if (names.length === 0) {
      throw ownerError(
        owner,
        `unknown bucket call "${c}". Use a group (${Object.keys(BUCKET_CALLS).join(", ")}) ` +
          `or an exact CloudTrail event name such as "CreateBucket".`,
      );
    }
    for (const n of names) if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** The pattern of CloudTrail's record of bucket-level calls on S3, for the selected buckets. */
export function bucketCallPattern(calls: readonly string[], buckets: BucketSelector): EventPattern {
  const detail: EventPattern = { eventSource: ["s3.amazonaws.com"], eventName: [...calls] };
  if (buckets !== "any") {
    detail.requestParameters = {
      bucketName: ["name" in buckets ? buckets.name : { prefix: buckets.namePrefix }],
    };
  }
  return { source: ["aws.s3"], "detail-type": ["AWS API Call via CloudTrail"], detail };
}
