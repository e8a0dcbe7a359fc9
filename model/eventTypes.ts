/**
 * The catalogue of S3 notification event types, their wildcard families and friendly names.
 *
 * Pure: no Pulumi or AWS import, shared by the components, the policy pack and the handlers.
 */

/** Every concrete (non-wildcard) event type S3 can publish to a notification destination. */
export const CONCRETE_EVENT_TYPES = [
  "s3:ObjectCreated:Put",
  "s3:ObjectCreated:Post",
  "s3:ObjectCreated:Copy",
  "s3:ObjectCreated:CompleteMultipartUpload",
  "s3:ObjectRemoved:Delete",
  "s3:ObjectRemoved:DeleteMarkerCreated",
  "s3:ObjectRestore:Post",
  "s3:ObjectRestore:Completed",
  "s3:ObjectRestore:Delete",
  "s3:ReducedRedundancyLostObject",
  "s3:Replication:OperationFailedReplication",
  "s3:Replication:OperationMissedThreshold",
  "s3:Replication:OperationReplicatedAfterThreshold",
  "s3:Replication:OperationNotTracked",
  "s3:LifecycleExpiration:Delete",
  "s3:LifecycleExpiration:DeleteMarkerCreated",
  "s3:LifecycleTransition",
  "s3:IntelligentTiering",
  "s3:ObjectTagging:Put",
  "s3:ObjectTagging:Delete",
  "s3:ObjectAcl:Put",
] as const;

/** A concrete S3 event type, such as `s3:ObjectCreated:Put`. */
export type ConcreteEventType = (typeof CONCRETE_EVENT_TYPES)[number];

/** The wildcard families S3 accepts, each covering the concrete types that share its stem. */
export const WILDCARD_EVENT_TYPES = [
  "s3:ObjectCreated:*",
  "s3:ObjectRemoved:*",
  "s3:ObjectRestore:*",
  "s3:Replication:*",
  "s3:LifecycleExpiration:*",
  "s3:ObjectTagging:*",
] as const;

/** A wildcard S3 event type, such as `s3:ObjectCreated:*`. */
export type WildcardEventType = (typeof WILDCARD_EVENT_TYPES)[number];

/** Any event type S3 accepts in a notification configuration. */
export type S3EventType = ConcreteEventType | WildcardEventType;

/**
 * Friendly names for the common selections. Each maps to the S3 event types it stands for;
 * exact S3 names are always accepted as well.
 */
export const FRIENDLY_EVENT_NAMES = {
  created: ["s3:ObjectCreated:*"],
  removed: ["s3:ObjectRemoved:*"],
  restored: ["s3:ObjectRestore:*"],
  tagging: ["s3:ObjectTagging:*"],
  acl: ["s3:ObjectAcl:Put"],
  lifecycle: ["s3:LifecycleExpiration:*", "s3:LifecycleTransition"],
  "lifecycle-expiration": ["s3:LifecycleExpiration:*"],
  "lifecycle-transition": ["s3:LifecycleTransition"],
  "intelligent-tiering": ["s3:IntelligentTiering"],
  replication: ["s3:Replication:*"],
  "reduced-redundancy-lost": ["s3:ReducedRedundancyLostObject"],
} as const satisfies Record<string, readonly S3EventType[]>;

/** A friendly event name, such as `"created"` or `"removed"`. */
export type FriendlyEventName = keyof typeof FRIENDLY_EVENT_NAMES;

/** What a route accepts as an event: a friendly name or any exact S3 event type. */
export type EventSelector = FriendlyEventName | S3EventType;

const CONCRETE = new Set<string>(CONCRETE_EVENT_TYPES);
const WILDCARD = new Set<string>(WILDCARD_EVENT_TYPES);

/** True when `name` is an event type S3 accepts in a notification configuration. */
export function isS3EventType(name: string): name is S3EventType {
  return CONCRETE.has(name) || WILDCARD.has(name);
}

/** True when `name` is one of {@link FRIENDLY_EVENT_NAMES}. */
export function isFriendlyEventName(name: string): name is FriendlyEventName {
  return Object.prototype.hasOwnProperty.call(FRIENDLY_EVENT_NAMES, name);
}

/** The concrete event types a (possibly wildcard) S3 event type covers. */
export function expandEventType(type: S3EventType): ConcreteEventType[] {
  if (type.endsWith(":*")) {
    const stem = type.slice(0, -1);
    return CONCRETE_EVENT_TYPES.filter((t) => t.startsWith(stem));
  }
  return [type as ConcreteEventType];
}

/**
 * Resolves selectors (friendly or exact) to S3 event types, de-duplicated, in first-seen order,
 * dropping concrete types already covered by a wildcard in the same list.
 *
 * @throws Error naming the unknown selector and listing what is accepted.
 */
export function resolveEventSelectors(selectors: readonly string[], owner: string): S3EventType[] {
  if (selectors.length === 0) {
    throw new Error(
      `${owner}: the event list is empty. Name at least one event, for example ["created"] or ["s3:ObjectCreated:Put"].`,
    );
  }
  const out: S3EventType[] = [];
  for (const selector of selectors) {
    let types: readonly S3EventType[];
    if (isFriendlyEventName(selector)) {
      types = FRIENDLY_EVENT_NAMES[selector];
    } else if (isS3EventType(selector)) {
      types = [selector];
    } else {
      const suggestion = closestEventSelector(String(selector));
      throw new Error(
        `${owner}: unknown event type "${selector}". Use a friendly name (${Object.keys(FRIENDLY_EVENT_NAMES).join(", ")}) ` +
          `or an exact S3 event type such as "s3:ObjectCreated:Put" or "s3:ObjectCreated:*".` +
          (suggestion ? ` Did you mean "${suggestion}"?` : ""),
      );
    }
    for (const t of types) if (!out.includes(t)) out.push(t);
  }
  const wildcards = out.filter((t) => WILDCARD.has(t));
  return out.filter((t) => WILDCARD.has(t) || !wildcards.some((w) => t.startsWith(w.slice(0, -1))));
}

/** Every selector a route accepts: friendly names, then S3's exact types (wildcards last per family). */
const ALL_SELECTORS: readonly EventSelector[] = [
  ...(Object.keys(FRIENDLY_EVENT_NAMES) as FriendlyEventName[]),
  ...CONCRETE_EVENT_TYPES,
  ...WILDCARD_EVENT_TYPES,
];

/** Levenshtein distance between two strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The selector a misspelt one most likely meant, for "did you mean": the same name in other case, or
 * with the `s3:` prefix or the `:*` wildcard it lacks; otherwise the nearest by edit distance, when at
 * most 3 edits (and fewer than a third of its length) away. Undefined when nothing is that close.
 */
export function closestEventSelector(selector: string): EventSelector | undefined {
  const wanted = selector.trim().toLowerCase();
  const forms = [wanted, `s3:${wanted}`, `${wanted}:*`, `s3:${wanted}:*`, `${wanted}*`];
  for (const form of forms) {
    const exact = ALL_SELECTORS.find((s) => s.toLowerCase() === form);
    if (exact) return exact;
  }
  let best: EventSelector | undefined;
  let bestDistance = Infinity;
  for (const candidate of ALL_SELECTORS) {
    const d = Math.min(
      editDistance(wanted, candidate.toLowerCase()),
      editDistance(`s3:${wanted}`, candidate.toLowerCase()),
    );
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= 3 && bestDistance * 3 < wanted.length ? best : undefined;
}

/** The concrete event types two lists have in common (wildcards expanded), in catalogue order. */
export function sharedEventTypes(a: readonly string[], b: readonly string[]): ConcreteEventType[] {
  const expand = (list: readonly string[]) =>
    new Set(list.filter(isS3EventType).flatMap((t) => expandEventType(t)));
  const setA = expand(a);
  const setB = expand(b);
  return CONCRETE_EVENT_TYPES.filter((t) => setA.has(t) && setB.has(t));
}

/**
 * The most readable name for a set of shared concrete types: a wildcard when the whole family is
 * shared, otherwise the concrete names.
 */
export function describeEventTypes(types: readonly ConcreteEventType[]): string {
  const remaining = new Set<string>(types);
  const parts: string[] = [];
  for (const w of WILDCARD_EVENT_TYPES) {
    const family = expandEventType(w);
    if (family.every((t) => remaining.has(t))) {
      parts.push(w);
      family.forEach((t) => remaining.delete(t));
    }
  }
  parts.push(...types.filter((t) => remaining.has(t)));
  return parts.join(", ");
}

/** True when an S3 event name (as in a record, e.g. `ObjectCreated:Put`) is selected by `types`. */
export function eventNameMatches(eventName: string, types: readonly string[]): boolean {
  const full = eventName.startsWith("s3:") ? eventName : `s3:${eventName}`;
  return types.some((t) => (t.endsWith(":*") ? full.startsWith(t.slice(0, -1)) : full === t));
}
