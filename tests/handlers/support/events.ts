/**
 * Building S3 events for tests the way S3 writes them (key URL-encoded, `+` for space), and
 * wrapping them in SQS messages.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Context, SQSRecord } from "aws-lambda";
import { encodeFilterValue } from "../../../model/objectFilter";

/** The directory of the AWS-shaped fixtures. */
export const FIXTURES = join(__dirname, "..", "..", "fixtures", "events");

/**
 * Loads one fixture, parsed.
 *
 * @param name - the file name, e.g. `s3-put.json`.
 */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));
}

/** What a test event describes. */
export interface ObjectChange {
  /** The bucket. */
  bucket: string;
  /** The key, decoded (it is encoded as S3 does). */
  key: string;
  /** e.g. `ObjectCreated:Put`. */
  eventName?: string;
  /** Size in bytes. */
  size?: number;
  /** ETag without quotes. */
  eTag?: string;
  /** Sequencer, hex. */
  sequencer?: string;
  /** Version id. */
  versionId?: string;
}

/** Encodes a key as S3 writes it in notifications: segments form-encoded, `+` for space, `/` kept. */
export const encodeKeyLikeS3 = (key: string): string => encodeFilterValue(key);

/**
 * A native S3 event notification (eventVersion 2.1) for one change.
 *
 * @param change - the object change.
 */
export function s3Event(change: ObjectChange): { Records: Record<string, unknown>[] } {
  const object: Record<string, unknown> = { key: encodeKeyLikeS3(change.key) };
  if (change.size !== undefined) object.size = change.size;
  if (change.eTag !== undefined) object.eTag = change.eTag;
  if (change.versionId !== undefined) object.versionId = change.versionId;
  object.sequencer = change.sequencer ?? "0062E99A88DC407460";
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: "us-east-1",
        eventTime: "2025-11-12T10:15:30.000Z",
        eventName: change.eventName ?? "ObjectCreated:Put",
        userIdentity: { principalId: "AWS:AIDAJDPLRKLG7UEXAMPLE" },
        requestParameters: { sourceIPAddress: "127.0.0.1" },
        responseElements: {
          "x-amz-request-id": "C3D13FE58DE4C810",
          "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S",
        },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "test",
          bucket: {
            name: change.bucket,
            ownerIdentity: { principalId: "A3NL1KOZZKExample" },
            arn: `arn:aws:s3:::${change.bucket}`,
          },
          object,
        },
      },
    ],
  };
}

/**
 * One SQS record carrying `body` (a JSON value, stringified, or a raw string).
 *
 * @param messageId - the message id.
 * @param body - the payload.
 */
export function sqsRecord(messageId: string, body: unknown): SQSRecord {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return {
    messageId,
    receiptHandle: `AQEB-${messageId}`,
    body: text,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1762942531000",
      SenderId: "AIDAJHIPRHEMV73VRJEBU",
      ApproximateFirstReceiveTimestamp: "1762942531010",
    },
    messageAttributes: {},
    md5OfBody: createHash("md5").update(text).digest("hex"),
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:111122223333:s3-events",
    awsRegion: "us-east-1",
  };
}

/** A Lambda context with ten seconds left. */
export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "test-function",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:test-function",
    memoryLimitInMB: "1024",
    awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
    logGroupName: "/aws/lambda/test-function",
    logStreamName: "2025/11/12/[$LATEST]abcdef",
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
