/**
 * The exact shapes of the AWS envelopes `parseS3Notifications` reads, and one small checker over
 * them: hand-written guards with no schema library, so that a handler's bundle carries a few
 * kilobytes of validation instead of a whole schema library, and a batch of 10,000 records is
 * checked at a fraction of what `JSON.parse` costs.
 *
 * The shapes are Powertools for AWS Lambda's parser schemas (`@aws-lambda-powertools/parser` 2.35:
 * S3, SQS, SNS, EventBridge), field for field and in the same order, with the gaps this project
 * widens (an IPv6 `sourceIPAddress` / `source-ip-address`, a `null` `versionId`; see
 * tests/handlers/support/zodReference.ts, which keeps the schema version as the test oracle).
 * A rejected value is described exactly as those schemas describe it (`path: Invalid input:
 * expected string, received undefined`, the first three issues, then `and N more`), so messages
 * did not change when the schema library left the bundle.
 *
 * What the schemas let through and this checker refuses, each naming the field (the "strict"
 * checks, reported only when the value otherwise has the right shape): a size that is negative or
 * not a whole number, a native `eventName` that is not an S3 event type, a sequencer that is not
 * hexadecimal, a field found only on the value's prototype (`Object.create({ key: ... })`).
 *
 * Pure: no AWS import.
 */
import { CONCRETE_EVENT_TYPES } from "../../model/eventTypes";

/** What one node of a shape checks. */
type Kind =
  | "string"
  | "datetime"
  | "url"
  | "number"
  | "literal"
  | "object"
  | "array"
  | "record"
  /** A union of string literals with `z.string()` (SQS's `dataType`): a string, reported as a union. */
  | "anyString";

/** A strict check beyond the schema's own (see the module comment). */
type Strict = "size" | "eventName" | "hex";

/** One node of a shape. */
export interface Shape {
  readonly kind: Kind;
  /** May be absent (`undefined`). */
  readonly optional: boolean;
  /** May be `null`. */
  readonly nullable: boolean;
  /** `literal`: the value. */
  readonly value?: string;
  /** `object`: the fields, in the schema's order. */
  readonly fields?: readonly (readonly [string, Shape])[];
  /** `array`, `record`: the shape of each item. */
  readonly item?: Shape;
  /** `array`: the least number of items. */
  readonly minItems?: number;
  /** `number`: the least value (the schema's own check). */
  readonly min?: number;
  /** The strict check, if any. */
  readonly strict?: Strict;
}

const node = (kind: Kind, extra: Partial<Shape> = {}): Shape => ({
  kind,
  optional: false,
  nullable: false,
  ...extra,
});
const str = (): Shape => node("string");
const optional = (shape: Shape): Shape => ({ ...shape, optional: true });
const nullish = (shape: Shape): Shape => ({ ...shape, optional: true, nullable: true });
const literal = (value: string): Shape => node("literal", { value });
const object = (fields: Record<string, Shape>): Shape => node("object", { fields: Object.entries(fields) });
const array = (item: Shape, minItems = 0): Shape => node("array", { item, minItems });
const record = (item: Shape): Shape => node("record", { item });

const identity = object({ principalId: str() });

/** One record of a native S3 notification (Powertools `S3RecordSchema`, widened). */
export const S3_RECORD: Shape = object({
  eventVersion: str(),
  eventSource: literal("aws:s3"),
  awsRegion: str(),
  eventTime: node("datetime"),
  eventName: node("string", { strict: "eventName" }),
  userIdentity: identity,
  requestParameters: object({ sourceIPAddress: str() }),
  responseElements: object({ "x-amz-request-id": str(), "x-amz-id-2": str() }),
  s3: object({
    s3SchemaVersion: str(),
    configurationId: str(),
    object: object({
      key: str(),
      size: optional(node("number", { strict: "size" })),
      urlDecodedKey: optional(str()),
      eTag: optional(str()),
      sequencer: optional(node("string", { strict: "hex" })),
      versionId: nullish(str()),
    }),
    bucket: object({ name: str(), ownerIdentity: identity, arn: str() }),
  }),
  glacierEventData: optional(
    object({
      restoreEventData: object({
        lifecycleRestorationExpiryTime: str(),
        lifecycleRestoreStorageClass: str(),
      }),
    }),
  ),
});

/** A native S3 event notification: `{ "Records": [ ... ] }`, at least one record. */
export const S3_EVENT: Shape = object({ Records: array(S3_RECORD, 1) });

/** An S3 event delivered by EventBridge (Powertools `EventBridgeSchema` + S3 detail, widened). */
export const S3_EVENTBRIDGE_EVENT: Shape = object({
  version: str(),
  id: str(),
  source: str(),
  account: str(),
  time: node("datetime"),
  region: str(),
  resources: array(str()),
  "detail-type": str(),
  detail: object({
    version: str(),
    bucket: object({ name: str() }),
    object: object({
      key: str(),
      size: optional(node("number", { min: 0, strict: "size" })),
      etag: optional(str()),
      "version-id": optional(str()),
      sequencer: optional(node("string", { strict: "hex" })),
    }),
    "request-id": str(),
    requester: str(),
    "source-ip-address": optional(str()),
    reason: optional(str()),
    "deletion-type": optional(str()),
    "restore-expiry-time": optional(str()),
    "source-storage-class": optional(str()),
    "destination-storage-class": optional(str()),
    "destination-access-tier": optional(str()),
  }),
  "replay-name": optional(str()),
});

/** The message S3 publishes when a notification configuration is saved. */
export const S3_TEST_EVENT: Shape = object({
  Service: literal("Amazon S3"),
  Event: literal("s3:TestEvent"),
  Time: str(),
  Bucket: str(),
  RequestId: str(),
  HostId: str(),
});

/** One SQS record as Lambda delivers it (Powertools `SqsRecordSchema`). */
export const SQS_RECORD: Shape = object({
  messageId: str(),
  receiptHandle: str(),
  body: str(),
  attributes: object({
    ApproximateReceiveCount: str(),
    ApproximateFirstReceiveTimestamp: str(),
    MessageDeduplicationId: optional(str()),
    MessageGroupId: optional(str()),
    SenderId: str(),
    SentTimestamp: str(),
    SequenceNumber: optional(str()),
    AWSTraceHeader: optional(str()),
    DeadLetterQueueSourceArn: optional(str()),
  }),
  messageAttributes: record(
    object({
      stringValue: nullish(str()),
      binaryValue: nullish(str()),
      stringListValues: optional(array(str())),
      binaryListValues: optional(array(str())),
      dataType: node("anyString"),
    }),
  ),
  md5OfBody: str(),
  md5OfMessageAttributes: nullish(str()),
  eventSource: literal("aws:sqs"),
  eventSourceARN: str(),
  awsRegion: str(),
});

const snsAttribute = object({ Type: str(), Value: str() });

/** One SNS record as Lambda delivers it (Powertools `SnsRecordSchema`). */
export const SNS_RECORD: Shape = object({
  EventSource: literal("aws:sns"),
  EventVersion: str(),
  EventSubscriptionArn: str(),
  Sns: object({
    Subject: nullish(str()),
    TopicArn: str(),
    UnsubscribeUrl: node("url"),
    UnsubscribeURL: optional(node("url")),
    SigningCertUrl: optional(node("url")),
    SigningCertURL: optional(node("url")),
    Type: literal("Notification"),
    MessageAttributes: optional(record(snsAttribute)),
    Message: str(),
    MessageId: str(),
    Signature: optional(str()),
    SignatureVersion: optional(str()),
    Timestamp: node("datetime"),
  }),
});

/** An SNS notification as SNS writes it into an SQS body without raw delivery (Powertools `SnsSqsNotificationSchema`). */
export const SNS_SQS_NOTIFICATION: Shape = object({
  Subject: nullish(str()),
  TopicArn: str(),
  UnsubscribeURL: optional(str()),
  SigningCertURL: optional(node("url")),
  Type: literal("Notification"),
  MessageAttributes: optional(record(snsAttribute)),
  Message: str(),
  MessageId: str(),
  Signature: optional(str()),
  SignatureVersion: optional(str()),
  Timestamp: node("datetime"),
});

/** Zod's `z.iso.datetime()` (no offset, any precision, `Z` only), days checked per month. */
const ISO_DATETIME =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z))$/;

const HEX = /^[0-9a-fA-F]+$/;

/** Event names as native records carry them (`ObjectCreated:Put`, no `s3:`). */
const EVENT_NAMES: ReadonlySet<string> = new Set(CONCRETE_EVENT_TYPES.map((t) => t.slice(3)));

/** The S3 event names a native record may carry, for messages. */
export const S3_EVENT_NAMES: readonly string[] = [...EVENT_NAMES];

const hasOwn = (value: object, key: string): boolean => Object.prototype.hasOwnProperty.call(value, key);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const parseableUrls = new Set<string>();

/**
 * Whether `new URL(text)` succeeds. The URLs of one topic repeat in every message of a batch, so
 * the ones that parsed are remembered (at most 256).
 */
let lastParseable = "";

const canParseUrl = (text: string): boolean => {
  // The same URL as the record before (one topic's certificate URL): a string comparison, no hashing.
  if (text === lastParseable || parseableUrls.has(text)) {
    lastParseable = text;
    return true;
  }
  let ok: boolean;
  if (typeof URL.canParse === "function") ok = URL.canParse(text);
  else {
    try {
      new URL(text);
      ok = true;
    } catch {
      ok = false;
    }
  }
  if (ok) {
    if (parseableUrls.size >= 256) parseableUrls.clear();
    parseableUrls.add(text);
    lastParseable = text;
  }
  return ok;
};

function strictOk(strict: Strict, value: string | number): boolean {
  switch (strict) {
    case "size":
      return Number.isInteger(value) && (value as number) >= 0;
    case "eventName":
      return EVENT_NAMES.has(
        (value as string).startsWith("s3:") ? (value as string).slice(3) : (value as string),
      );
    case "hex":
      return HEX.test(value as string);
  }
}

/** What compiled guards call: the checks that are not plain `typeof` tests. */
const helpers = {
  hasOwn,
  isObject,
  isPlainObject: (v: unknown) => isPlainObject(v),
  canParseUrl,
  ISO_DATETIME,
  HEX,
  EVENT_NAMES,
  /** A plain object inherits only from it: an own-field check is needed only for its own keys. */
  OP: Object.prototype as Record<string, unknown>,
};

/** The strict check of `value` as straight-line code (what {@link strictOk} does). */
function strictCode(strict: Strict, value: string): string {
  switch (strict) {
    case "size":
      return `Number.isInteger(${value}) && ${value} >= 0`;
    case "eventName":
      return `h.EVENT_NAMES.has(${value}.startsWith("s3:") ? ${value}.slice(3) : ${value})`;
    case "hex":
      return `h.HEX.test(${value})`;
  }
}

/**
 * The statements that check variable `v${depth}` against `shape`, returning false at the first
 * fault. Written from the shape once, so that each envelope is checked by straight-line code
 * (a precompiled guard), not by walking the shape for every record.
 */
function guardCode(shape: Shape, depth: number): string {
  const v = `v${depth}`;
  const lines: string[] = [];
  const nullCheck = `${v} === undefined ? ${shape.optional} : ${v} === null ? ${shape.nullable} : `;
  const strict = (value: string) =>
    shape.strict === undefined ? "" : ` && ${strictCode(shape.strict, value)}`;
  switch (shape.kind) {
    case "string":
      lines.push(`if (!(${nullCheck}(typeof ${v} === "string"${strict(v)}))) return false;`);
      break;
    case "anyString":
      lines.push(`if (!(${nullCheck}typeof ${v} === "string")) return false;`);
      break;
    case "datetime":
      lines.push(`if (!(${nullCheck}(typeof ${v} === "string" && h.ISO_DATETIME.test(${v})))) return false;`);
      break;
    case "url":
      lines.push(
        `if (!(${nullCheck}(typeof ${v} === "string" && h.canParseUrl(${v}.trim())))) return false;`,
      );
      break;
    case "number":
      lines.push(
        `if (!(${nullCheck}(typeof ${v} === "number" && Number.isFinite(${v})` +
          `${shape.min === undefined ? "" : ` && ${v} >= ${shape.min}`}${strict(v)}))) return false;`,
      );
      break;
    case "literal":
      lines.push(`if (!(${nullCheck}${v} === ${JSON.stringify(shape.value)})) return false;`);
      break;
    case "object": {
      lines.push(`if (${v} === undefined) { if (!${shape.optional}) return false; }`);
      lines.push(`else if (${v} === null) { if (!${shape.nullable}) return false; }`);
      lines.push(`else {`, `if (!h.isObject(${v})) return false;`);
      // A plain object inherits only from Object.prototype: a field can be inherited only if it is there.
      lines.push(`const p${depth} = Object.getPrototypeOf(${v}) === h.OP;`);
      const w = `v${depth + 1}`;
      for (const [key, field] of shape.fields!) {
        const k = JSON.stringify(key);
        lines.push(`{ const ${w} = ${v}[${k}];`);
        lines.push(
          `if (${w} !== undefined && (!p${depth} || h.OP[${k}] !== undefined) && !h.hasOwn(${v}, ${k})) return false;`,
        );
        lines.push(guardCode(field, depth + 1), `}`);
      }
      lines.push(`}`);
      break;
    }
    case "array": {
      const i = `i${depth}`;
      lines.push(`if (${v} === undefined) { if (!${shape.optional}) return false; }`);
      lines.push(`else if (${v} === null) { if (!${shape.nullable}) return false; }`);
      lines.push(`else {`, `if (!Array.isArray(${v}) || ${v}.length < ${shape.minItems}) return false;`);
      lines.push(`for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const v${depth + 1} = ${v}[${i}];`);
      lines.push(guardCode(shape.item!, depth + 1), `}`, `}`);
      break;
    }
    case "record": {
      const k = `k${depth}`;
      lines.push(`if (${v} === undefined) { if (!${shape.optional}) return false; }`);
      lines.push(`else if (${v} === null) { if (!${shape.nullable}) return false; }`);
      lines.push(`else {`, `if (!h.isPlainObject(${v})) return false;`);
      lines.push(`for (const ${k} of Object.keys(${v})) { const v${depth + 1} = ${v}[${k}];`);
      lines.push(guardCode(shape.item!, depth + 1), `}`, `}`);
      break;
    }
  }
  return lines.join("\n");
}

type Guard = (value: unknown) => boolean;
const guards = new WeakMap<Shape, Guard>();

/**
 * The guard of a shape, written once as code from the shape (see {@link guardCode}) and cached.
 * Only the shapes of this module are compiled; no input ever reaches the generated source.
 */
function guardOf(shape: Shape): Guard {
  let guard = guards.get(shape);
  if (!guard) {
    const make = new Function(
      "h",
      `return function guard(v0) {\n${guardCode(shape, 0)}\nreturn true;\n};`,
    ) as (h: typeof helpers) => Guard;
    guard = make(helpers);
    guards.set(shape, guard);
  }
  return guard;
}

/**
 * True when `value` has `shape`, strict checks and own fields included. The fast path: no
 * allocation, stops at the first fault; {@link shapeIssues} then says what the fault is.
 *
 * @param shape - the shape.
 * @param value - the value.
 */
export function hasShape(shape: Shape, value: unknown): boolean {
  return guardOf(shape)(value);
}

/** One fault: where (path segments) and what. */
export interface ShapeIssue {
  /** The path from the checked value, e.g. `["Records", 0, "s3", "object", "key"]`. */
  path: (string | number)[];
  /** What is wrong, e.g. `Invalid input: expected string, received undefined`. */
  message: string;
}

/** Every fault of a value, in two lists: what the schema itself reports, and the strict checks. */
export interface ShapeIssues {
  /** The faults the schema reports, in its order and words. */
  schema: ShapeIssue[];
  /** The faults of the strict checks (sizes, event names, sequencers, inherited fields). */
  strict: ShapeIssue[];
}

/** Zod's `util.isPlainObject`: what `z.record` accepts. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  if ((value as { constructor?: unknown }).constructor === Object) return true; // what JSON.parse makes
  const ctor = (value as { constructor?: unknown }).constructor;
  if (ctor === undefined || typeof ctor !== "function") return true;
  const prototype: unknown = ctor.prototype;
  return isObject(prototype) && hasOwn(prototype, "isPrototypeOf");
}

/** Zod's `util.parsedType` as its English messages print it. */
function typeName(value: unknown): string {
  if (typeof value === "number") return Number.isFinite(value) ? "number" : String(value);
  if (typeof value !== "object") return typeof value;
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  const proto: unknown = Object.getPrototypeOf(value);
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  if (proto !== Object.prototype && "constructor" in value && ctor) return String(ctor.name);
  return "object";
}

const expected = (type: string, value: unknown) =>
  `Invalid input: expected ${type}, received ${typeName(value)}`;

function strictMessage(strict: Strict, value: string | number): string {
  switch (strict) {
    case "size":
      return `${value} is not a size in bytes (a whole number, 0 or more)`;
    case "eventName":
      return (
        `${JSON.stringify(value)} is not an S3 event name; expected one of ` +
        S3_EVENT_NAMES.map((n) => JSON.stringify(n)).join(", ")
      );
    case "hex":
      return `${JSON.stringify(value)} is not a sequencer (S3 writes it in hexadecimal digits)`;
  }
}

function collect(shape: Shape, value: unknown, path: (string | number)[], out: ShapeIssues): void {
  if (value === undefined && shape.optional) return;
  if (value === null && shape.nullable) return;
  const schema = (message: string): void => {
    out.schema.push({ path, message });
  };
  switch (shape.kind) {
    case "string":
    case "datetime":
    case "url":
      if (typeof value !== "string") return schema(expected("string", value));
      if (shape.kind === "datetime" && !ISO_DATETIME.test(value)) return schema("Invalid ISO datetime");
      if (shape.kind === "url" && !canParseUrl(value.trim())) return schema("Invalid URL");
      if (shape.strict && !strictOk(shape.strict, value))
        out.strict.push({ path, message: strictMessage(shape.strict, value) });
      return;
    case "anyString":
      if (typeof value !== "string") schema("Invalid input");
      return;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return schema(expected("number", value));
      if (shape.min !== undefined && value < shape.min)
        return schema(`Too small: expected number to be >=${shape.min}`);
      if (shape.strict && !strictOk(shape.strict, value))
        out.strict.push({ path, message: strictMessage(shape.strict, value) });
      return;
    case "literal":
      if (value !== shape.value) schema(`Invalid input: expected ${JSON.stringify(shape.value)}`);
      return;
    case "object":
      if (!isObject(value)) return schema(expected("object", value));
      for (const [key, field] of shape.fields!) {
        const item = value[key];
        if (item !== undefined && !hasOwn(value, key)) {
          out.strict.push({
            path: [...path, key],
            message: "found only on the value's prototype, not as a field of its own",
          });
        }
        collect(field, item, [...path, key], out);
      }
      return;
    case "array":
      if (!Array.isArray(value)) {
        schema(expected("array", value));
        // Zod runs a length check on anything with a length, even after the type failed.
        const length = (value as { length?: unknown } | null | undefined)?.length;
        if (shape.minItems! > 0 && length !== undefined && !((length as number) >= shape.minItems!)) {
          schema(
            typeof value === "string"
              ? `Too small: expected string to have >=${shape.minItems} characters`
              : `Too small: expected unknown to be >=${shape.minItems}`,
          );
        }
        return;
      }
      for (let index = 0; index < value.length; index += 1)
        collect(shape.item!, value[index], [...path, index], out);
      if (value.length < shape.minItems!)
        schema(`Too small: expected array to have >=${shape.minItems} items`);
      return;
    case "record":
      if (!isPlainObject(value)) return schema(expected("record", value));
      for (const key of Object.keys(value)) {
        if (key !== "__proto__") collect(shape.item!, value[key], [...path, key], out);
      }
      return;
  }
}

/**
 * Every fault of `value` against `shape`, as the schema words it (and the strict checks apart).
 * The slow path, run only when {@link hasShape} said no.
 *
 * @param shape - the shape.
 * @param value - the value.
 */
export function shapeIssues(shape: Shape, value: unknown): ShapeIssues {
  const out: ShapeIssues = { schema: [], strict: [] };
  collect(shape, value, [], out);
  return out;
}

/**
 * The faults as one text: the first three as `path: message`, then `; and N more` (the schema's
 * faults when there are any, else the strict ones).
 *
 * @param issues - what {@link shapeIssues} found.
 */
export function describeIssues(issues: ShapeIssues): string {
  const list = issues.schema.length > 0 ? issues.schema : issues.strict;
  const listed = list.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  const more = list.length > 3 ? `; and ${list.length - 3} more` : "";
  return listed.join("; ") + more;
}
