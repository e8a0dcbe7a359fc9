/**
 * The pure logic of a notification configuration that this stack shares with other writers (the
 * console, other stacks, other tools): ownership Ids, splitting a live configuration into this
 * stack's entries and everyone else's ("foreign" entries), the conflict and drift checks, the merge,
 * and the read-back comparison.
 *
 * Pure: no Pulumi or AWS import. The S3 shapes are declared structurally here (a subset of
 * `@aws-sdk/client-s3`'s `NotificationConfiguration`), so the dynamic provider, the component and the
 * policy pack share one implementation, and the overlap rule is {@link findOverlaps}, the same one
 * that validates a bucket's own routes.
 *
 * ## Ownership Ids
 *
 * An entry belongs to this stack because of its Id, never because of its content:
 * `pulumi:<organization>:<project>:<stack>:<route>`, e.g. `pulumi:acme:photo-app:prod:thumbnails`.
 * The organization is part of it because project and stack names are unique only within one: two
 * organizations' `photo-app`/`prod` stacks adopting one bucket must not claim each other's entries.
 * The Id is stable across updates (it changes only when the organization, project, stack or route
 * is renamed) and tells a person reading the bucket's configuration in the console which stack and
 * route wrote it. It is also the `configurationId` of every event the entry delivers.
 *
 * Earlier versions wrote the legacy Id `pulumi:<project>:<stack>:<route>`. {@link parseOwnershipId}
 * reads both. On the first `pulumi up` after the upgrade, an entry with the legacy Id that this
 * resource's state records (it wrote it) is owned, so the update replaces it with the new Id in the
 * same guarded write — no leftover, no duplicate delivery. A legacy entry the state does not record
 * (state lost, or another organization's stack of the same names) is foreign: it is written back
 * untouched and, when it overlaps one of this stack's routes, preview reports the conflict naming it.
 *
 * Organization, project and stack names hold letters, digits, `-`, `_` and `.`; route names the
 * same (at most 63 characters, see `validateRoute`), so an Id is made of `[A-Za-z0-9._:~-]` only and
 * splits on `:`. AWS documents no length limit for notification Ids (the API reference says only "an
 * optional unique identifier"); we keep them within 255 characters, the limit S3 documents for its
 * other configuration rule Ids (lifecycle, replication). When the namespace would leave less than 63
 * characters for the route, the longer names are shortened deterministically (see
 * {@link ownershipNamespace}): a long name keeps its first characters and ends in `~` plus 8 hex
 * digits of a 32-bit FNV-1a digest of the full name, so two long names that share a beginning still
 * get different Ids. The digest is of the name, never of the entry's content.
 */
import { describeEventTypes, isS3EventType } from "./eventTypes";
import { decodeS3Key, describeFilter, MAX_FILTER_VALUE_LENGTH, ObjectFilter } from "./objectFilter";
import { findOverlaps, NativeTargetKind, NotificationEntryLike } from "./routeModel";
import { componentOwner } from "./argumentError";

// ---------------------------------------------------------------------------------------------
// S3's shapes (structural; compatible with @aws-sdk/client-s3)
// ---------------------------------------------------------------------------------------------

/** One key filter rule as S3 stores it: `Name` is `prefix` or `suffix` (S3 answers `Prefix`/`Suffix`). */
export interface S3FilterRule {
  /** `prefix` or `suffix`, in any letter case. */
  Name?: string;
  /** The URL-encoded value. */
  Value?: string;
}

/** An entry's filter as S3 stores it. */
export interface S3NotificationFilter {
  /** The key filter. */
  Key?: {
    /** At most one prefix and one suffix rule. */
    FilterRules?: S3FilterRule[];
  };
}

/** What every S3 notification entry has. */
export interface S3EntryCommon {
  /** The entry's Id; S3 assigns one when a writer gives none. */
  Id?: string;
  /** The event types. */
  Events?: string[];
  /** The key filter. */
  Filter?: S3NotificationFilter;
}

/** A Lambda entry (`LambdaFunctionConfigurations`). */
export interface S3LambdaEntry extends S3EntryCommon {
  /** The function's ARN. */
  LambdaFunctionArn?: string;
}

/** An SQS entry (`QueueConfigurations`). */
export interface S3QueueEntry extends S3EntryCommon {
  /** The queue's ARN. */
  QueueArn?: string;
}

/** An SNS entry (`TopicConfigurations`). */
export interface S3TopicEntry extends S3EntryCommon {
  /** The topic's ARN. */
  TopicArn?: string;
}

/** A bucket's whole notification configuration, as Get/PutBucketNotificationConfiguration carry it. */
export interface S3NotificationConfiguration {
  /** Lambda entries. */
  LambdaFunctionConfigurations?: S3LambdaEntry[];
  /** SQS entries. */
  QueueConfigurations?: S3QueueEntry[];
  /** SNS entries. */
  TopicConfigurations?: S3TopicEntry[];
  /** Present (an empty object) when the bucket sends all its events to EventBridge. */
  EventBridgeConfiguration?: object;
}

// ---------------------------------------------------------------------------------------------
// The resource's shape (the same as aws.s3.BucketNotification's inputs)
// ---------------------------------------------------------------------------------------------

/** What every entry of the resource's inputs has (the shape of `aws.s3.BucketNotification`'s entries). */
export interface EntryInputCommon {
  /** The ownership Id, `pulumi:<organization>:<project>:<stack>:<route>`. */
  id: string;
  /** S3 event types. */
  events: string[];
  /** The prefix, URL-encoded as S3 stores it. */
  filterPrefix?: string;
  /** The suffix, URL-encoded as S3 stores it. */
  filterSuffix?: string;
}

/** A Lambda entry, as in `aws.s3.BucketNotification`'s `lambdaFunctions`. */
export interface LambdaEntryInput extends EntryInputCommon {
  /** The function's ARN. */
  lambdaFunctionArn: string;
}

/** An SQS entry, as in `aws.s3.BucketNotification`'s `queues`. */
export interface QueueEntryInput extends EntryInputCommon {
  /** The queue's ARN. */
  queueArn: string;
}

/** An SNS entry, as in `aws.s3.BucketNotification`'s `topics`. */
export interface TopicEntryInput extends EntryInputCommon {
  /** The topic's ARN. */
  topicArn: string;
}

/** The entries of a notification resource, in `aws.s3.BucketNotification`'s shape. */
export interface NotificationEntries {
  /** Lambda entries. */
  lambdaFunctions?: LambdaEntryInput[];
  /** SQS entries. */
  queues?: QueueEntryInput[];
  /** SNS entries. */
  topics?: TopicEntryInput[];
}

/** One entry, whichever list it is in: the form every comparison and message works on. */
export interface NotificationEntry {
  /** Which list: `lambda`, `sqs` or `sns`. */
  kind: NativeTargetKind;
  /** The entry's Id (empty only for an entry S3 has not stored yet). */
  id: string;
  /** The destination's ARN. */
  arn: string;
  /** S3 event types, as written. */
  events: string[];
  /** The prefix, URL-encoded as S3 stores it. */
  prefix?: string;
  /** The suffix, URL-encoded as S3 stores it. */
  suffix?: string;
}

/** An entry read from S3, with the exact object S3 returned, written back untouched when foreign. */
export interface LiveNotificationEntry extends NotificationEntry {
  /** The entry as S3 returned it. */
  raw: S3LambdaEntry | S3QueueEntry | S3TopicEntry;
}

// ---------------------------------------------------------------------------------------------
// Ownership Ids
// ---------------------------------------------------------------------------------------------

/** The longest Id we write (see the module comment). */
export const MAX_ID_LENGTH = 255;
/** The longest route name (`validateRoute`). */
export const MAX_ROUTE_NAME_LENGTH = 63;
/** The longest namespace, so that any route fits: 255 − `:` − 63. */
export const MAX_NAMESPACE_LENGTH = MAX_ID_LENGTH - 1 - MAX_ROUTE_NAME_LENGTH;

const NAME_PART = /^[A-Za-z0-9._~-]+$/;
const PART = "([A-Za-z0-9._~-]+)";
const ROUTE = "([A-Za-z0-9._-]+)";
/** `pulumi:<organization>:<project>:<stack>:<route>`, the Id written since organizations are part of it. */
const OWNERSHIP_ID = new RegExp(`^pulumi:${PART}:${PART}:${PART}:${ROUTE}$`);
/** `pulumi:<project>:<stack>:<route>`, the legacy Id (written by earlier versions, without the organization). */
const LEGACY_OWNERSHIP_ID = new RegExp(`^pulumi:${PART}:${PART}:${ROUTE}$`);

/** A 32-bit FNV-1a digest of `text`, as 8 hex digits (only used to shorten names, never content). */
export function nameDigest(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/** `name` if it fits in `max` characters, else its first `max − 9` characters, `~` and its digest. */
function shorten(name: string, max: number): string {
  return name.length <= max ? name : `${name.slice(0, max - 9)}~${nameDigest(name)}`;
}

/**
 * The ownership namespace of a stack: `pulumi:<organization>:<project>:<stack>` — what makes a stack
 * unique across organizations (two organizations may both have a project `photos` with a stack
 * `prod`) — at most {@link MAX_NAMESPACE_LENGTH} characters. When the names do not fit, the longer
 * ones are shortened (first characters kept, then `~` and 8 hex digits of the full name's digest), so
 * the same names always give the same namespace.
 *
 * Without `organization` it is the legacy namespace `pulumi:<project>:<stack>` that earlier versions
 * wrote (kept so that their entries are recognised; see {@link parseOwnershipId}).
 *
 * @param project       the Pulumi project's name.
 * @param stack         the stack's name (not the fully qualified `org/project/stack`).
 * @param organization  the organization (`pulumi.getOrganization()`; `organization` on a DIY backend).
 * @throws Error when a name holds characters a Pulumi name cannot.
 */
export function ownershipNamespace(project: string, stack: string, organization?: string): string {
  const named: (readonly [string, string])[] = [
    ...(organization !== undefined ? [["organization", organization] as const] : []),
    ["project", project],
    ["stack", stack],
  ];
  for (const [what, name] of named) {
    if (!NAME_PART.test(name)) {
      throw new Error(
        `The ${what} name "${name}" cannot be part of a notification Id: use letters, digits, "-", "_" and "." only.`,
      );
    }
  }
  if (organization === undefined) {
    const budget = MAX_NAMESPACE_LENGTH - "pulumi:".length - 1;
    if (project.length + stack.length <= budget) return `pulumi:${project}:${stack}`;
    const half = Math.floor(budget / 2);
    const projectMax = Math.max(half, budget - stack.length);
    const p = shorten(project, projectMax);
    const s = shorten(stack, budget - p.length);
    return `pulumi:${p}:${s}`;
  }
  const budget = MAX_NAMESPACE_LENGTH - "pulumi:".length - 2;
  const parts = [organization, project, stack];
  if (parts.join("").length <= budget) return `pulumi:${parts.join(":")}`;
  // Each name gets an equal share; what a short name leaves over goes to the longer ones, in order.
  const share = Math.floor(budget / 3);
  let spare = budget - parts.reduce((n, p) => n + Math.min(p.length, share), 0);
  const out = parts.map((p) => {
    if (p.length <= share) return p;
    const room = share + Math.min(spare, p.length - share);
    spare -= room - share;
    return shorten(p, room);
  });
  return `pulumi:${out.join(":")}`;
}

/**
 * The Id of a route's entry: `<namespace>:<route>`.
 *
 * @param namespace  from {@link ownershipNamespace}.
 * @param route      the route's name (validated by `validateRoute`).
 */
export function ownershipId(namespace: string, route: string): string {
  return `${namespace}:${route}`;
}

/** The parts of an ownership Id. */
export interface OwnershipIdParts {
  /** The organization; undefined for a legacy Id (`pulumi:<project>:<stack>:<route>`). */
  organization?: string;
  /** The project. */
  project: string;
  /** The stack. */
  stack: string;
  /** The route. */
  route: string;
}

/**
 * The parts of an ownership Id, or undefined for an Id that is not one (e.g. made in the console).
 * Reads both `pulumi:<organization>:<project>:<stack>:<route>` and the legacy
 * `pulumi:<project>:<stack>:<route>` (no organization).
 */
export function parseOwnershipId(id: string): OwnershipIdParts | undefined {
  const m = OWNERSHIP_ID.exec(id);
  if (m) return { organization: m[1], project: m[2], stack: m[3], route: m[4] };
  const legacy = LEGACY_OWNERSHIP_ID.exec(id);
  return legacy ? { project: legacy[1], stack: legacy[2], route: legacy[3] } : undefined;
}

/** The namespace an ownership Id is in (`pulumi:<organization>:<project>:<stack>`, or legacy). */
export function namespaceOf(parts: OwnershipIdParts): string {
  return parts.organization === undefined
    ? `pulumi:${parts.project}:${parts.stack}`
    : `pulumi:${parts.organization}:${parts.project}:${parts.stack}`;
}

// ---------------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------------

function filterValue(
  filter: S3NotificationFilter | undefined,
  name: "prefix" | "suffix",
): string | undefined {
  const rule = filter?.Key?.FilterRules?.find((r) => (r.Name ?? "").toLowerCase() === name);
  return rule?.Value ? rule.Value : undefined;
}

function liveEntry(
  kind: NativeTargetKind,
  raw: S3LambdaEntry | S3QueueEntry | S3TopicEntry,
): LiveNotificationEntry {
  const arn =
    kind === "lambda"
      ? (raw as S3LambdaEntry).LambdaFunctionArn
      : kind === "sqs"
        ? (raw as S3QueueEntry).QueueArn
        : (raw as S3TopicEntry).TopicArn;
  const entry: LiveNotificationEntry = {
    kind,
    id: raw.Id ?? "",
    arn: arn ?? "",
    events: [...(raw.Events ?? [])],
    raw,
  };
  const prefix = filterValue(raw.Filter, "prefix");
  const suffix = filterValue(raw.Filter, "suffix");
  if (prefix !== undefined) entry.prefix = prefix;
  if (suffix !== undefined) entry.suffix = suffix;
  return entry;
}

/** Every entry of a live configuration, Lambda first, then SQS, then SNS, each in S3's order. */
export function liveEntries(config: S3NotificationConfiguration): LiveNotificationEntry[] {
  return [
    ...(config.LambdaFunctionConfigurations ?? []).map((e) => liveEntry("lambda", e)),
    ...(config.QueueConfigurations ?? []).map((e) => liveEntry("sqs", e)),
    ...(config.TopicConfigurations ?? []).map((e) => liveEntry("sns", e)),
  ];
}

/** The entries of a resource's inputs (or state), in the {@link NotificationEntry} form. */
export function inputEntries(entries: NotificationEntries): NotificationEntry[] {
  const common = (kind: NativeTargetKind, e: EntryInputCommon, arn: string): NotificationEntry => {
    const out: NotificationEntry = { kind, id: e.id, arn, events: [...e.events] };
    if (e.filterPrefix) out.prefix = e.filterPrefix;
    if (e.filterSuffix) out.suffix = e.filterSuffix;
    return out;
  };
  return [
    ...(entries.lambdaFunctions ?? []).map((e) => common("lambda", e, e.lambdaFunctionArn)),
    ...(entries.queues ?? []).map((e) => common("sqs", e, e.queueArn)),
    ...(entries.topics ?? []).map((e) => common("sns", e, e.topicArn)),
  ];
}

/** Entries back in the resource's shape (what `read` reports as this stack's entries). */
export function toInputEntries(entries: readonly NotificationEntry[]): Required<NotificationEntries> {
  const common = (e: NotificationEntry): EntryInputCommon => {
    const out: EntryInputCommon = { id: e.id, events: [...e.events] };
    if (e.prefix) out.filterPrefix = e.prefix;
    if (e.suffix) out.filterSuffix = e.suffix;
    return out;
  };
  return {
    lambdaFunctions: entries
      .filter((e) => e.kind === "lambda")
      .map((e) => ({ ...common(e), lambdaFunctionArn: e.arn })),
    queues: entries.filter((e) => e.kind === "sqs").map((e) => ({ ...common(e), queueArn: e.arn })),
    topics: entries.filter((e) => e.kind === "sns").map((e) => ({ ...common(e), topicArn: e.arn })),
  };
}

/** An entry as S3 takes it in a Put. */
export function toS3Entry(e: NotificationEntry): S3LambdaEntry | S3QueueEntry | S3TopicEntry {
  const rules: S3FilterRule[] = [];
  if (e.prefix) rules.push({ Name: "prefix", Value: e.prefix });
  if (e.suffix) rules.push({ Name: "suffix", Value: e.suffix });
  const common: S3EntryCommon = { Id: e.id, Events: [...e.events] };
  if (rules.length > 0) common.Filter = { Key: { FilterRules: rules } };
  if (e.kind === "lambda") return { ...common, LambdaFunctionArn: e.arn };
  if (e.kind === "sqs") return { ...common, QueueArn: e.arn };
  return { ...common, TopicArn: e.arn };
}

/** Decodes a filter value for comparison; a value that is not valid URL encoding is compared as is. */
function decoded(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeS3Key(value);
  } catch {
    return value;
  }
}

/** An entry's filter, decoded (as routes are written), for the overlap rule and for messages. */
export function decodedFilter(e: NotificationEntry): ObjectFilter {
  const out: ObjectFilter = {};
  const prefix = decoded(e.prefix);
  const suffix = decoded(e.suffix);
  if (prefix) out.prefix = prefix;
  if (suffix) out.suffix = suffix;
  return out;
}

/** A canonical text of an entry: equal for two entries S3 treats as the same. */
export function entryKey(e: NotificationEntry): string {
  const f = decodedFilter(e);
  return JSON.stringify([e.kind, e.id, e.arn, [...new Set(e.events)].sort(), f.prefix ?? "", f.suffix ?? ""]);
}

/** True when two entries are the same to S3 (events in any order, filter values decoded). */
export function sameEntry(a: NotificationEntry, b: NotificationEntry): boolean {
  return entryKey(a) === entryKey(b);
}

/** True when two configurations hold the same entries (in any order) and the same EventBridge switch. */
export function sameConfiguration(a: S3NotificationConfiguration, b: S3NotificationConfiguration): boolean {
  if (eventBridgeOn(a) !== eventBridgeOn(b)) return false;
  const keys = (c: S3NotificationConfiguration) => liveEntries(c).map(entryKey).sort();
  const ka = keys(a);
  const kb = keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

/** Whether the configuration sends the bucket's events to EventBridge. */
export function eventBridgeOn(config: S3NotificationConfiguration): boolean {
  return config.EventBridgeConfiguration !== undefined && config.EventBridgeConfiguration !== null;
}

// ---------------------------------------------------------------------------------------------
// Ownership, merge
// ---------------------------------------------------------------------------------------------

/**
 * Splits a live configuration. An entry is this resource's when its Id is one this resource wrote
 * (its state) or is about to write (its inputs); every other entry is foreign — including entries of
 * other stacks and of other resources of this stack — and is written back exactly as S3 returned it.
 *
 * @param config    the live configuration.
 * @param ownedIds  the Ids in this resource's state and inputs.
 */
export function splitConfiguration(
  config: S3NotificationConfiguration,
  ownedIds: ReadonlySet<string>,
): { ours: LiveNotificationEntry[]; foreign: LiveNotificationEntry[] } {
  const all = liveEntries(config);
  return {
    ours: all.filter((e) => ownedIds.has(e.id)),
    foreign: all.filter((e) => !ownedIds.has(e.id)),
  };
}

/**
 * The configuration to write: the live one with this resource's entries replaced by `ours` — foreign
 * entries untouched and in their order, ours after them — and the EventBridge switch on when it was
 * on or when `eventBridge` asks for it. The switch is never turned off here (see `sharedNotification`).
 *
 * @param live         the configuration just read.
 * @param ownedIds     the Ids in this resource's state and inputs.
 * @param ours         this resource's entries as they should be (empty to remove them all).
 * @param eventBridge  whether this resource needs EventBridge delivery.
 */
export function mergeConfiguration(
  live: S3NotificationConfiguration,
  ownedIds: ReadonlySet<string>,
  ours: readonly NotificationEntry[],
  eventBridge: boolean,
): S3NotificationConfiguration {
  const keep = <T extends S3EntryCommon>(list: T[] | undefined) =>
    (list ?? []).filter((e) => !ownedIds.has(e.Id ?? ""));
  const mine = (kind: NativeTargetKind) => ours.filter((e) => e.kind === kind).map(toS3Entry);
  const out: S3NotificationConfiguration = {};
  const lambdas = [...keep(live.LambdaFunctionConfigurations), ...(mine("lambda") as S3LambdaEntry[])];
  const queues = [...keep(live.QueueConfigurations), ...(mine("sqs") as S3QueueEntry[])];
  const topics = [...keep(live.TopicConfigurations), ...(mine("sns") as S3TopicEntry[])];
  if (lambdas.length > 0) out.LambdaFunctionConfigurations = lambdas;
  if (queues.length > 0) out.QueueConfigurations = queues;
  if (topics.length > 0) out.TopicConfigurations = topics;
  if (eventBridgeOn(live)) out.EventBridgeConfiguration = live.EventBridgeConfiguration;
  else if (eventBridge) out.EventBridgeConfiguration = {};
  return out;
}

// ---------------------------------------------------------------------------------------------
// Validation, conflicts, drift
// ---------------------------------------------------------------------------------------------

const UNKNOWN_ARN = "(known after apply)";

/** `→ <arn>`, or a placeholder while the ARN is unknown (preview). */
function destination(e: NotificationEntry, isUnknown: (v: string) => boolean): string {
  return `→ ${e.arn && !isUnknown(e.arn) ? e.arn : UNKNOWN_ARN}`;
}

/** Who keeps a foreign entry, for messages. */
export function describeWriter(id: string, namespace: string): string {
  const owner = parseOwnershipId(id);
  if (!owner) return "another writer (not a Pulumi stack using these components, e.g. the console)";
  if (namespaceOf(owner) === namespace) {
    return `another resource of this stack (route "${owner.route}"; adopt the bucket with one EventBucket per stack)`;
  }
  if (owner.organization === undefined) {
    const ours = parseOwnershipId(`${namespace}:x`);
    const sameNames = ours?.project === owner.project && ours?.stack === owner.stack;
    return (
      `stack "${owner.stack}" of project "${owner.project}" (route "${owner.route}"; a legacy Id without the ` +
      `organization${sameNames ? ", written by an earlier version of this stack or by a stack of the same names in another organization" : ""})`
    );
  }
  return `stack "${owner.stack}" of project "${owner.project}" in organization "${owner.organization}" (route "${owner.route}")`;
}

/** The route name inside one of our Ids (the Id itself when it is not an ownership Id). */
export function routeOfId(id: string): string {
  return parseOwnershipId(id)?.route ?? id;
}

/**
 * Checks this resource's desired entries on their own, before any AWS call: Ids in the namespace,
 * unique and within S3's limits; known event types; filter values within S3's limit; no two of them
 * overlapping.
 *
 * @param bucket     the bucket's name, for messages.
 * @param namespace  this stack's namespace, `pulumi:<organization>:<project>:<stack>`.
 * @param ours       the desired entries.
 * @returns one message per problem; empty when all is well.
 */
export function validateEntries(
  bucket: string,
  namespace: string,
  ours: readonly NotificationEntry[],
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const owner = componentOwner("Bucket", bucket);
  for (const e of ours) {
    if (!e.id.startsWith(`${namespace}:`) || !parseOwnershipId(e.id)) {
      problems.push(
        `${owner}: entry Id "${e.id}" is not in this stack's namespace: it must read "${namespace}:<route>" ` +
          `with a route name of letters, digits, ".", "_" or "-".`,
      );
    } else if (e.id.length > MAX_ID_LENGTH) {
      problems.push(
        `${owner}: entry Id "${e.id}" is ${e.id.length} characters; at most ${MAX_ID_LENGTH} are written. Shorten the route name.`,
      );
    }
    if (seen.has(e.id)) {
      problems.push(`${owner}: two entries have the Id "${e.id}". Give each route a unique name.`);
    }
    seen.add(e.id);
    if (e.events.length === 0) {
      problems.push(`${owner}, route "${routeOfId(e.id)}": the event list is empty.`);
    }
    for (const t of e.events) {
      if (!isS3EventType(t)) {
        problems.push(`${owner}, route "${routeOfId(e.id)}": "${t}" is not an S3 event type.`);
      }
    }
    for (const [field, value] of [
      ["prefix", e.prefix],
      ["suffix", e.suffix],
    ] as const) {
      if (value !== undefined && value.length > MAX_FILTER_VALUE_LENGTH) {
        problems.push(
          `${owner}, route "${routeOfId(e.id)}": filter ${field} is ${value.length} characters once URL-encoded; ` +
            `S3 accepts at most ${MAX_FILTER_VALUE_LENGTH}.`,
        );
      }
    }
  }
  for (const o of findOverlaps(ours.map((e) => like(e)))) {
    problems.push(
      `${owner}: routes "${routeOfId(o.a.name)}" and "${routeOfId(o.b.name)}" overlap: both receive ` +
        `${describeEventTypes(o.shared)} and their filters (${describeFilter(o.a.filter)} vs ` +
        `${describeFilter(o.b.filter)}) can match the same key, which S3 rejects ("Configuration is ambiguously defined"). ` +
        `Make their prefixes or suffixes disjoint.`,
    );
  }
  return problems;
}

function like(e: NotificationEntry): NotificationEntryLike {
  return { name: e.id, events: e.events, filter: decodedFilter(e) };
}

/**
 * The foreign entries that S3 would refuse next to this resource's entries (S3's overlap rule,
 * {@link findOverlaps}, on decoded filters), as exact messages naming the foreign entry (Id, writer,
 * destination) and our route, and what to do.
 *
 * @param bucket     the bucket's name.
 * @param namespace  this stack's namespace.
 * @param foreign    the live entries that are not this resource's.
 * @param ours       this resource's desired entries.
 * @param isUnknown  tells a value not known yet (preview) from a real one; default: none is.
 */
export function findConflicts(
  bucket: string,
  namespace: string,
  foreign: readonly NotificationEntry[],
  ours: readonly NotificationEntry[],
  isUnknown: (v: string) => boolean = () => false,
): string[] {
  const side = new Map<NotificationEntryLike, { entry: NotificationEntry; foreign: boolean }>();
  const list: NotificationEntryLike[] = [];
  for (const [entries, isForeign] of [
    [foreign, true],
    [ours, false],
  ] as const) {
    for (const entry of entries) {
      const l = like(entry);
      side.set(l, { entry, foreign: isForeign });
      list.push(l);
    }
  }
  const messages: string[] = [];
  for (const o of findOverlaps(list)) {
    const a = side.get(o.a)!;
    const b = side.get(o.b)!;
    if (a.foreign === b.foreign) continue; // ours vs ours is validateEntries'; foreign vs foreign is not ours to judge
    const theirs = a.foreign ? a : b;
    const mine = a.foreign ? b : a;
    messages.push(
      `Bucket "${bucket}": route "${routeOfId(mine.entry.id)}" of this stack (Id "${mine.entry.id}", ` +
        `${describeFilter(decodedFilter(mine.entry))} ${destination(mine.entry, isUnknown)}) overlaps the entry ` +
        `"${theirs.entry.id}" that ${describeWriter(theirs.entry.id, namespace)} keeps on the bucket ` +
        `(${describeFilter(decodedFilter(theirs.entry))} ${destination(theirs.entry, isUnknown)}): both receive ` +
        `${describeEventTypes(o.shared)} and their filters can match the same key, which S3 rejects ` +
        `("Configuration is ambiguously defined"). Nothing was changed. Make this route's prefix or suffix disjoint ` +
        `from the other entry's, deliver it through EventBridge (delivery: "eventbridge"), or have the owner of ` +
        `"${theirs.entry.id}" narrow or remove it.`,
    );
  }
  return messages;
}

/** How an entry reads in a drift message: events, filter, destination. */
function summary(e: NotificationEntry): string {
  return `${e.events.join(", ")}, ${describeFilter(decodedFilter(e))}, → ${e.arn}`;
}

/**
 * This resource's entries (and EventBridge switch) as it last wrote them, compared with the bucket:
 * one exact message per entry removed or changed by someone else since.
 *
 * @param bucket              the bucket's name.
 * @param written             the entries in this resource's state.
 * @param liveOurs            the live entries carrying those Ids.
 * @param eventBridgeWritten  whether this resource needed EventBridge delivery when it last wrote.
 * @param eventBridgeLive     whether the bucket sends events to EventBridge now.
 */
export function findDrift(
  bucket: string,
  written: readonly NotificationEntry[],
  liveOurs: readonly NotificationEntry[],
  eventBridgeWritten: boolean,
  eventBridgeLive: boolean,
): string[] {
  const messages: string[] = [];
  const fix =
    "Nothing was changed. Run `pulumi refresh` to accept the bucket's current state, then `pulumi up` to write " +
    "this stack's routes again (or remove the route from the program if the change was deliberate).";
  for (const w of written) {
    const live = liveOurs.find((e) => e.id === w.id);
    if (!live) {
      messages.push(
        `Bucket "${bucket}": entry "${w.id}" of route "${routeOfId(w.id)}" (${summary(w)}) was removed outside ` +
          `Pulumi since this stack last wrote it. ${fix}`,
      );
    } else if (!sameEntry(w, live)) {
      messages.push(
        `Bucket "${bucket}": entry "${w.id}" of route "${routeOfId(w.id)}" was changed outside Pulumi since this ` +
          `stack last wrote it (now ${live.kind}: ${summary(live)}; written ${w.kind}: ${summary(w)}). ${fix}`,
      );
    }
  }
  if (eventBridgeWritten && !eventBridgeLive) {
    messages.push(
      `Bucket "${bucket}": EventBridge delivery, which this stack's routes need, was turned off outside Pulumi ` +
        `since this stack last wrote the configuration. ${fix}`,
    );
  }
  return messages;
}
