/**
 * The S3 event toolkit: every envelope an S3 object event reaches a handler in, normalized to one
 * record shape, plus the ordering and idempotency helpers built on it.
 *
 * Envelopes: direct S3 → Lambda; S3 → SQS (body is the S3 event); S3 → SNS → Lambda (`Message` is
 * the S3 event); S3 → SNS → SQS without raw delivery (body is the SNS notification) and with raw
 * delivery (body is the S3 event itself, byte for byte what S3 → SQS carries, so it reports
 * `source: "sqs"`); EventBridge (`detail-type` "Object Created" …); EventBridge → SQS; EventBridge →
 * SNS → Lambda (`Message` is the EventBridge event); EventBridge → SNS → SQS without raw delivery
 * (with it, the body is the EventBridge event itself: `eventbridge-sqs`); the stable payload of this
 * product's Step Functions and webhook targets. `s3:TestEvent` yields no record, in any envelope.
 * Anything else throws {@link S3NotificationError}.
 *
 * Validation: hand-written guards over the exact AWS shapes (./envelopeShapes), one `JSON.parse`
 * per SQS body and SNS message, no schema library in the bundle.
 *
 * Imported as `s3-event-routes/handlers` by handlers of your own (bundle them with your handler).
 *
 * @module s3-event-routes/handlers
 */
import { decodeS3Key } from "../../model/objectFilter";
import { eventNameFromEventBridge } from "./eventBridgeNames";
import {
  describeIssues,
  hasShape,
  S3_EVENT,
  S3_EVENTBRIDGE_EVENT,
  S3_TEST_EVENT,
  Shape,
  shapeIssues,
  SNS_RECORD,
  SNS_SQS_NOTIFICATION,
  SQS_RECORD,
} from "./envelopeShapes";

export { compareSequencers, isNewer, sequencerSortKey, SEQUENCER_SORT_KEY_WIDTH } from "./sequencer";

/** Which envelope a record arrived in. */
export type EnvelopeSource =
  | "s3"
  | "sqs"
  | "sns"
  | "sns-sqs"
  | "eventbridge"
  | "eventbridge-sqs"
  /** An EventBridge event published to an SNS topic, delivered to a Lambda subscriber. */
  | "eventbridge-sns"
  /** An EventBridge event published to an SNS topic, delivered to an SQS subscriber without raw delivery. */
  | "eventbridge-sns-sqs"
  /** The stable payload this product's Step Functions and webhook targets receive (OBJECT_EVENT_INPUT). */
  | "payload";

/** One S3 object event, the same whatever envelope brought it. */
export interface S3ObjectEvent {
  /** The envelope the event arrived in. */
  source: EnvelopeSource;
  /** The SQS message id, for the SQS envelopes (what a partial batch failure reports). */
  messageId?: string;
  /** The bucket's region. */
  region: string;
  /** The bucket name. */
  bucket: string;
  /** The object key, fully decoded (`+` is a space, percent escapes decoded). */
  key: string;
  /** S3's event name without the `s3:` prefix, e.g. `ObjectCreated:Put`, also for EventBridge. */
  eventName: string;
  /** When S3 processed the request, ISO 8601 in UTC with milliseconds. */
  eventTime: string;
  /** The object size in bytes (absent on deletes). */
  size?: number;
  /** The object's ETag, without quotes (absent on some deletes). */
  eTag?: string;
  /** The version id, in versioning-enabled buckets. */
  versionId?: string;
  /** The sequencer, upper-case hex (present on creates and deletes). */
  sequencer?: string;
}

/** The error thrown for input that is not an S3 notification; the message says what arrived. */
export class S3NotificationError extends Error {
  /** Creates the error; `message` is complete and names what was received and what was expected. */
  constructor(message: string) {
    super(message);
    this.name = "S3NotificationError";
  }
}

/** What every error message says was expected. */
export const EXPECTED_NOTIFICATION =
  'an S3 event notification: {"Records":[...]} with eventSource "aws:s3", "aws:sqs" or "aws:sns", ' +
  'an EventBridge event with source "aws.s3", or an s3:TestEvent';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A short description of a value's shape for error messages, e.g. `an object with keys a, b` or
 * `a string of 12 characters ("hello world!")`.
 *
 * @param value - anything.
 */
export function describeShape(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? "" : "s"}`;
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "string": {
      const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
      return `a string of ${value.length} character${value.length === 1 ? "" : "s"} (${JSON.stringify(shown)})`;
    }
    case "object": {
      const keys = Object.keys(value);
      if (keys.length === 0) return "an empty object";
      const shown = keys.slice(0, 8).join(", ");
      return `an object with keys ${shown}${keys.length > 8 ? `, … (${keys.length} keys)` : ""}`;
    }
    default:
      return `a ${typeof value} (${String(value)})`;
  }
}

function message(received: string, expected: string = EXPECTED_NOTIFICATION): string {
  return `parseS3Notifications: received ${received}; expected ${expected}.`;
}

function fail(received: string, expected?: string): never {
  throw new S3NotificationError(message(received, expected));
}

function isTestEvent(value: unknown): boolean {
  return isObject(value) && value.Event === "s3:TestEvent";
}

function decodeKey(raw: string, where: string, index: number): string {
  if (!raw.includes("%") && !raw.includes("+")) return raw;
  try {
    return decodeS3Key(raw);
  } catch (error) {
    return fail(
      `${where} Records[${index}] key ${JSON.stringify(raw)}, which is not URL-encoded as S3 writes keys (${(error as Error).message})`,
      "a key URL-encoded with + for space and %XX escapes",
    );
  }
}

/**
 * A checked ISO 8601 UTC time (`z.iso.datetime()`'s format) as `toISOString` writes it, with
 * milliseconds. S3 writes exactly that, EventBridge whole seconds: both without building a Date.
 */
const isoTime = (value: string): string => {
  if (value.length === 24 && value.charCodeAt(19) === 46 /* . */) return value;
  if (value.length === 20) return `${value.slice(0, 19)}.000Z`;
  return new Date(value).toISOString();
};

/**
 * One event, its fields in {@link S3ObjectEvent}'s order and the absent ones left out. The usual
 * shapes (size, ETag and sequencer present) are made by one object literal each: adding fields one
 * by one would allocate the object's property store once or twice more, and a batch of 10,000
 * records would pay for it in garbage collection.
 */
function objectEvent(
  source: EnvelopeSource,
  messageId: string | undefined,
  region: string,
  bucket: string,
  key: string,
  eventName: string,
  eventTime: string,
  size: number | undefined,
  eTag: string | undefined,
  versionId: string | undefined,
  sequencer: string | undefined,
): S3ObjectEvent {
  if (size !== undefined && eTag !== undefined && sequencer !== undefined) {
    if (versionId !== undefined) {
      return messageId === undefined
        ? { source, region, bucket, key, eventName, eventTime, size, eTag, versionId, sequencer }
        : { source, messageId, region, bucket, key, eventName, eventTime, size, eTag, versionId, sequencer };
    }
    return messageId === undefined
      ? { source, region, bucket, key, eventName, eventTime, size, eTag, sequencer }
      : { source, messageId, region, bucket, key, eventName, eventTime, size, eTag, sequencer };
  }
  const event: S3ObjectEvent =
    messageId === undefined
      ? { source, region, bucket, key, eventName, eventTime }
      : { source, messageId, region, bucket, key, eventName, eventTime };
  if (size !== undefined) event.size = size;
  if (eTag !== undefined) event.eTag = eTag;
  if (versionId !== undefined) event.versionId = versionId;
  if (sequencer !== undefined) event.sequencer = sequencer;
  return event;
}

/** True for the stable payload of OBJECT_EVENT_INPUT: `{id, type, time, region, bucket, key, object, detail}`. */
function isPayload(value: Json): boolean {
  return (
    typeof value.id === "string" &&
    typeof value.type === "string" &&
    typeof value.time === "string" &&
    isObject(value.detail) &&
    isObject(value.object)
  );
}

function eventSourceOf(record: unknown): unknown {
  if (!isObject(record)) return undefined;
  return record.eventSource ?? record.EventSource;
}

/**
 * One call of {@link parseS3Notifications}. A value the AWS shapes refuse fails at once, with the
 * words the checks always used; a fault only the strict checks find (a negative size, an unknown
 * event name, a sequencer that is not hex, an inherited field) is kept in `deferred` and reported
 * once everything else passed, so that every input refused before these checks existed is still
 * refused with the same message.
 */
class Parse {
  /** The first strict fault's complete message, if any. */
  deferred: string | undefined;

  /**
   * Called when `value` does not fit `shape` ({@link hasShape} said no, so that the fast path makes
   * no closure): throws the schema's faults, defers the strict ones.
   */
  private mismatch(shape: Shape, value: unknown, mismatch: (issues: string) => string): void {
    const issues = shapeIssues(shape, value);
    const text = describeIssues(issues);
    if (issues.schema.length > 0) fail(mismatch(text));
    this.deferred ??= message(mismatch(text));
  }

  private checkTestEvent(value: unknown, where: string): void {
    if (hasShape(S3_TEST_EVENT, value)) return;
    this.mismatch(
      S3_TEST_EVENT,
      value,
      (issues) => `${where}: an s3:TestEvent that does not match AWS's structure (${issues})`,
    );
  }

  private ownRecords(event: Json): void {
    if (!Object.prototype.hasOwnProperty.call(event, "Records")) {
      this.deferred ??= message(
        `${describeShape(event)} whose Records are found only on its prototype, not as a field of its own`,
      );
    }
  }

  s3Event(value: unknown, source: EnvelopeSource, where: string, messageId?: string): S3ObjectEvent[] {
    if (isTestEvent(value)) {
      this.checkTestEvent(value, where);
      return [];
    }
    if (!hasShape(S3_EVENT, value)) {
      this.mismatch(
        S3_EVENT,
        value,
        (issues) =>
          `${where}: ${describeShape(value)} that does not match S3's event message structure (${issues})`,
      );
    }
    const records = (value as { Records: S3Record[] }).Records;
    const events: S3ObjectEvent[] = new Array(records.length);
    for (let index = 0; index < records.length; index += 1) {
      const record = records[index];
      const version = record.eventVersion;
      if (!version.startsWith("2.") && version !== "2") {
        fail(
          `${where} Records[${index}] with eventVersion "${version}"`,
          'eventVersion 2.x (AWS: "do an equal-to comparison on the major version number")',
        );
      }
      const object = record.s3.object;
      const name = record.eventName;
      const region = record.awsRegion;
      const bucket = record.s3.bucket.name;
      const key = decodeKey(object.key, where, index);
      const eventName = name.startsWith("s3:") ? name.slice(3) : name;
      const eventTime = isoTime(record.eventTime);
      events[index] = objectEvent(
        source,
        messageId,
        region,
        bucket,
        key,
        eventName,
        eventTime,
        object.size,
        object.eTag,
        object.versionId ?? undefined, // S3 writes null in buckets without versioning
        object.sequencer?.toUpperCase(),
      );
    }
    return events;
  }

  eventBridge(value: unknown, source: EnvelopeSource, where: string, messageId?: string): S3ObjectEvent[] {
    if (isObject(value) && value.source !== "aws.s3") {
      fail(`${where}: an EventBridge event with source ${JSON.stringify(value.source)}`);
    }
    if (!hasShape(S3_EVENTBRIDGE_EVENT, value)) {
      this.mismatch(
        S3_EVENTBRIDGE_EVENT,
        value,
        (issues) => `${where}: an aws.s3 EventBridge event that does not match S3's structure (${issues})`,
      );
    }
    const event = value as S3EventBridgeEvent;
    const detail = event.detail;
    const named = eventNameFromEventBridge(event["detail-type"], detail.reason, detail["deletion-type"]);
    if ("error" in named) fail(`${where}: an aws.s3 EventBridge event with ${named.error}`);
    const object = detail.object;
    return [
      objectEvent(
        source,
        messageId,
        event.region,
        detail.bucket.name,
        object.key,
        named.eventName,
        isoTime(event.time),
        object.size,
        object.etag,
        object["version-id"],
        object.sequencer?.toUpperCase(),
      ),
    ];
  }

  /** The stable payload is the EventBridge event, reshaped: put it back and parse it as such. */
  payload(payload: Json): S3ObjectEvent[] {
    return this.eventBridge(
      {
        version: "0",
        id: payload.id,
        "detail-type": payload.type,
        source: "aws.s3",
        account: typeof payload.account === "string" ? payload.account : "000000000000",
        time: payload.time,
        region: payload.region,
        resources: [],
        detail: payload.detail,
      },
      "payload",
      "the payload",
    );
  }

  /** An SNS `Message`: an S3 event (S3 → SNS) or an EventBridge event (EventBridge → SNS). */
  snsMessage(
    text: string,
    sources: readonly [EnvelopeSource, EnvelopeSource],
    where: string,
    messageId?: string,
  ): S3ObjectEvent[] {
    const inner = parseJson(text, `${where} Message`);
    if (isObject(inner) && "detail-type" in inner)
      return this.eventBridge(inner, sources[1], `${where} Message`, messageId);
    return this.s3Event(inner, sources[0], `${where} Message`, messageId);
  }

  sqsRecord(record: unknown, index: number): S3ObjectEvent[] {
    if (!hasShape(SQS_RECORD, record)) {
      this.mismatch(
        SQS_RECORD,
        record,
        (issues) => `Records[${index}]: an SQS record that does not match Lambda's SQS structure (${issues})`,
      );
    }
    const { messageId, body } = record as { messageId: string; body: string };
    const where = `SQS message ${messageId} body`;
    const payload = parseJson(body, where);
    if (isObject(payload) && payload.Type === "Notification" && "TopicArn" in payload) {
      if (!hasShape(SNS_SQS_NOTIFICATION, payload)) {
        this.mismatch(
          SNS_SQS_NOTIFICATION,
          payload,
          (issues) => `${where}: an SNS notification that does not match SNS's structure (${issues})`,
        );
      }
      return this.snsMessage(
        payload.Message as string,
        ["sns-sqs", "eventbridge-sns-sqs"],
        `${where} SNS`,
        messageId,
      );
    }
    if (isObject(payload) && "detail-type" in payload)
      return this.eventBridge(payload, "eventbridge-sqs", where, messageId);
    if (isTestEvent(payload) || (isObject(payload) && Array.isArray(payload.Records))) {
      return this.s3Event(payload, "sqs", where, messageId);
    }
    return fail(`${where}: ${describeShape(payload)}`);
  }

  snsRecord(record: unknown, index: number): S3ObjectEvent[] {
    if (!hasShape(SNS_RECORD, record)) {
      this.mismatch(
        SNS_RECORD,
        record,
        (issues) => `Records[${index}]: an SNS record that does not match Lambda's SNS structure (${issues})`,
      );
    }
    const sns = (record as { Sns: { Message: string; MessageId: string } }).Sns;
    return this.snsMessage(sns.Message, ["sns", "eventbridge-sns"], `SNS message ${sns.MessageId}`);
  }

  notifications(event: unknown): S3ObjectEvent[] {
    if (isTestEvent(event)) {
      this.checkTestEvent(event, "the event");
      return [];
    }
    if (!isObject(event)) return fail(describeShape(event));
    if ("detail-type" in event) return this.eventBridge(event, "eventbridge", "the event");
    if (isPayload(event)) return this.payload(event);
    const records = event.Records;
    if (!Array.isArray(records)) return fail(describeShape(event));
    if (records.length === 0) return fail("an event whose Records array is empty");
    const first = eventSourceOf(records[0]);
    for (let i = 1; i < records.length; i += 1) {
      if (eventSourceOf(records[i]) !== first) {
        const sources = [...new Set(records.map(eventSourceOf))];
        return fail(`Records mixing eventSource values ${sources.map((s) => JSON.stringify(s)).join(", ")}`);
      }
    }
    switch (first) {
      case "aws:s3":
        return this.s3Event(event, "s3", "the event");
      case "aws:sqs":
        this.ownRecords(event);
        return this.each(records, (record, index) => this.sqsRecord(record, index));
      case "aws:sns":
        this.ownRecords(event);
        return this.each(records, (record, index) => this.snsRecord(record, index));
      default:
        return fail(
          `Records with eventSource ${JSON.stringify(first)} (first item: ${describeShape(records[0])})`,
        );
    }
  }

  private each(
    records: unknown[],
    read: (record: unknown, index: number) => S3ObjectEvent[],
  ): S3ObjectEvent[] {
    const events: S3ObjectEvent[] = [];
    for (let index = 0; index < records.length; index += 1) {
      const found = read(records[index], index);
      for (const event of found) events.push(event);
    }
    return events;
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fail(`${where} that is not JSON: ${describeShape(text)}`);
  }
}

/** A native S3 record, as checked against its shape. */
interface S3Record {
  eventVersion: string;
  awsRegion: string;
  eventTime: string;
  eventName: string;
  s3: {
    bucket: { name: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string | null; sequencer?: string };
  };
}

/** An EventBridge S3 event, as checked against its shape. */
interface S3EventBridgeEvent {
  "detail-type": string;
  time: string;
  region: string;
  detail: {
    bucket: { name: string };
    object: { key: string; size?: number; etag?: string; "version-id"?: string; sequencer?: string };
    reason?: string;
    "deletion-type"?: string;
  };
}

/**
 * Returns the S3 object events inside any envelope, normalized (see {@link S3ObjectEvent}).
 * `s3:TestEvent` yields nothing.
 *
 * @param event - what Lambda passed to the handler (or one decoded SQS/SNS payload wrapped as such).
 * @throws S3NotificationError when the input is not an S3 notification, naming what was received.
 */
export function parseS3Notifications(event: unknown): S3ObjectEvent[] {
  const parse = new Parse();
  const events = parse.notifications(event);
  if (parse.deferred !== undefined) throw new S3NotificationError(parse.deferred);
  return events;
}

/**
 * The idempotency key of one object event: bucket, key, version and sequencer, which together name
 * one change of one object. Events that carry no sequencer (tagging, ACL, restore, transitions) add
 * their event name and time, so two distinct changes of the same version do not collide while a
 * duplicate delivery of one change still does.
 *
 * @param event - a normalized event.
 * @returns an unambiguous string (a JSON array).
 */
export function idempotencyKey(
  event: Pick<S3ObjectEvent, "bucket" | "key" | "versionId" | "sequencer" | "eventName" | "eventTime">,
): string {
  const distinct = event.sequencer === undefined ? `${event.eventName}@${event.eventTime}` : null;
  return JSON.stringify([
    event.bucket,
    event.key,
    event.versionId ?? null,
    event.sequencer ?? null,
    distinct,
  ]);
}
