/**
 * The test oracle: `parseS3Notifications` as it was before the schema library left the handlers
 * (Powertools' zod schemas, widened in ./notificationSchemas). The hand-written guards must refuse
 * every input this refuses, with the same message, and read every input it reads to the same records.
 * Test-only: nothing in handlers/ imports it.
 */
import { z } from "zod";
import { decodeS3Key } from "../../../model/objectFilter";
import { eventNameFromEventBridge } from "./referenceEventBridgeNames";
import {
  S3EventBridgeEventSchema,
  S3EventSchema,
  S3TestEventSchema,
  SnsRecordSchema,
  SnsSqsNotificationSchema,
  SqsRecordSchema,
} from "./notificationSchemas";

import { describeShape, EXPECTED_NOTIFICATION, S3NotificationError } from "../../../handlers/shared/events";
import type { EnvelopeSource, S3ObjectEvent } from "../../../handlers/shared/events";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function fail(received: string, expected: string = EXPECTED_NOTIFICATION): never {
  throw new S3NotificationError(`parseS3Notifications: received ${received}; expected ${expected}.`);
}

function issues(error: z.ZodError): string {
  const listed = error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  const more = error.issues.length > 3 ? `; and ${error.issues.length - 3} more` : "";
  return listed.join("; ") + more;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fail(`${where} that is not JSON: ${describeShape(text)}`);
  }
}

function isTestEvent(value: unknown): boolean {
  return isObject(value) && value.Event === "s3:TestEvent";
}

function checkTestEvent(value: unknown, where: string): void {
  const parsed = S3TestEventSchema.safeParse(value);
  if (!parsed.success)
    fail(`${where}: an s3:TestEvent that does not match AWS's structure (${issues(parsed.error)})`);
}

function decodeKey(raw: string, where: string): string {
  try {
    return decodeS3Key(raw);
  } catch (error) {
    return fail(
      `${where} key ${JSON.stringify(raw)}, which is not URL-encoded as S3 writes keys (${(error as Error).message})`,
      "a key URL-encoded with + for space and %XX escapes",
    );
  }
}

const isoTime = (value: string): string => new Date(value).toISOString();

function withoutUndefined(event: S3ObjectEvent): S3ObjectEvent {
  for (const field of Object.keys(event) as (keyof S3ObjectEvent)[]) {
    if (event[field] === undefined) delete event[field];
  }
  return event;
}

function fromS3Event(
  value: unknown,
  source: EnvelopeSource,
  where: string,
  messageId?: string,
): S3ObjectEvent[] {
  if (isTestEvent(value)) {
    checkTestEvent(value, where);
    return [];
  }
  const parsed = S3EventSchema.safeParse(value);
  if (!parsed.success) {
    fail(
      `${where}: ${describeShape(value)} that does not match S3's event message structure (${issues(parsed.error)})`,
    );
  }
  return parsed.data.Records.map((record, index) => {
    const at = `${where} Records[${index}]`;
    const major = record.eventVersion.split(".")[0];
    if (major !== "2") {
      fail(
        `${at} with eventVersion "${record.eventVersion}"`,
        'eventVersion 2.x (AWS: "do an equal-to comparison on the major version number")',
      );
    }
    const object = record.s3.object;
    return withoutUndefined({
      source,
      messageId,
      region: record.awsRegion,
      bucket: record.s3.bucket.name,
      key: decodeKey(object.key, at),
      eventName: record.eventName.replace(/^s3:/, ""),
      eventTime: isoTime(record.eventTime),
      size: object.size,
      eTag: object.eTag,
      versionId: object.versionId ?? undefined,
      sequencer: object.sequencer?.toUpperCase(),
    });
  });
}

function fromEventBridge(
  value: unknown,
  source: EnvelopeSource,
  where: string,
  messageId?: string,
): S3ObjectEvent[] {
  if (isObject(value) && value.source !== "aws.s3") {
    fail(`${where}: an EventBridge event with source ${JSON.stringify(value.source)}`);
  }
  const parsed = S3EventBridgeEventSchema.safeParse(value);
  if (!parsed.success) {
    fail(
      `${where}: an aws.s3 EventBridge event that does not match S3's structure (${issues(parsed.error)})`,
    );
  }
  const event = parsed.data;
  const named = eventNameFromEventBridge(
    event["detail-type"],
    event.detail.reason,
    event.detail["deletion-type"],
  );
  if ("error" in named) fail(`${where}: an aws.s3 EventBridge event with ${named.error}`);
  const object = event.detail.object;
  return [
    withoutUndefined({
      source,
      messageId,
      region: event.region,
      bucket: event.detail.bucket.name,
      key: object.key,
      eventName: named.eventName,
      eventTime: isoTime(event.time),
      size: object.size,
      eTag: object.etag,
      versionId: object["version-id"],
      sequencer: object.sequencer?.toUpperCase(),
    }),
  ];
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

/** The stable payload is the EventBridge event, reshaped: put it back and parse it as such. */
function fromPayload(payload: Json): S3ObjectEvent[] {
  return fromEventBridge(
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

function fromSnsMessage(
  message: string,
  source: EnvelopeSource,
  where: string,
  messageId?: string,
): S3ObjectEvent[] {
  const inner = parseJson(message, `${where} Message`);
  return fromS3Event(inner, source, `${where} Message`, messageId);
}

function fromSqsRecord(record: unknown, index: number): S3ObjectEvent[] {
  const parsed = SqsRecordSchema.safeParse(record);
  if (!parsed.success)
    fail(
      `Records[${index}]: an SQS record that does not match Lambda's SQS structure (${issues(parsed.error)})`,
    );
  const { messageId, body } = parsed.data;
  const where = `SQS message ${messageId} body`;
  const payload = parseJson(body, where);
  if (isObject(payload) && payload.Type === "Notification" && "TopicArn" in payload) {
    const sns = SnsSqsNotificationSchema.safeParse(payload);
    if (!sns.success)
      fail(`${where}: an SNS notification that does not match SNS's structure (${issues(sns.error)})`);
    return fromSnsMessage(sns.data.Message, "sns-sqs", `${where} SNS`, messageId);
  }
  if (isObject(payload) && "detail-type" in payload)
    return fromEventBridge(payload, "eventbridge-sqs", where, messageId);
  if (isTestEvent(payload) || (isObject(payload) && Array.isArray(payload.Records))) {
    return fromS3Event(payload, "sqs", where, messageId);
  }
  return fail(`${where}: ${describeShape(payload)}`);
}

function fromSnsRecord(record: unknown, index: number): S3ObjectEvent[] {
  const parsed = SnsRecordSchema.safeParse(record);
  if (!parsed.success)
    fail(
      `Records[${index}]: an SNS record that does not match Lambda's SNS structure (${issues(parsed.error)})`,
    );
  return fromSnsMessage(parsed.data.Sns.Message, "sns", `SNS message ${parsed.data.Sns.MessageId}`);
}

function eventSourceOf(record: unknown): unknown {
  if (!isObject(record)) return undefined;
  return record.eventSource ?? record.EventSource;
}

/**
 * Returns the S3 object events inside any envelope, normalized (see {@link S3ObjectEvent}).
 * `s3:TestEvent` yields nothing.
 *
 * @param event - what Lambda passed to the handler (or one decoded SQS/SNS payload wrapped as such).
 * @throws S3NotificationError when the input is not an S3 notification, naming what was received.
 */
export function parseWithZod(event: unknown): S3ObjectEvent[] {
  if (isTestEvent(event)) {
    checkTestEvent(event, "the event");
    return [];
  }
  if (!isObject(event)) return fail(describeShape(event));
  if ("detail-type" in event) return fromEventBridge(event, "eventbridge", "the event");
  if (isPayload(event)) return fromPayload(event);
  const records = event.Records;
  if (!Array.isArray(records)) return fail(describeShape(event));
  if (records.length === 0) return fail("an event whose Records array is empty");
  const sources = [...new Set(records.map(eventSourceOf))];
  if (sources.length > 1) {
    return fail(`Records mixing eventSource values ${sources.map((s) => JSON.stringify(s)).join(", ")}`);
  }
  switch (sources[0]) {
    case "aws:s3":
      return fromS3Event(event, "s3", "the event");
    case "aws:sqs":
      return records.flatMap(fromSqsRecord);
    case "aws:sns":
      return records.flatMap(fromSnsRecord);
    default:
      return fail(
        `Records with eventSource ${JSON.stringify(sources[0])} (first item: ${describeShape(records[0])})`,
      );
  }
}
