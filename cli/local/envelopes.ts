/**
 * The envelopes AWS wraps an S3 object event in, built for the local event loop from what s3rver
 * reports: the native S3 notification (key URL-encoded as S3 writes it), the EventBridge event
 * (kebab-case `detail`, key decoded), CloudTrail's record of a bucket call on EventBridge, SNS's
 * notification (as SQS and email-json subscribers receive it, and as Lambda receives it), and
 * SQS's record as the event source mapping hands it to a function.
 *
 * Pure: no I/O. Shapes follow AWS's documentation and this project's fixtures (tests/fixtures).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { S3rverEvent } from "s3rver";
import { eventBridgeFields } from "../../model/eventPattern";
import { CONCRETE_EVENT_TYPES, ConcreteEventType } from "../../model/eventTypes";
import { encodeFilterValue } from "../../model/objectFilter";

/** One record of what s3rver emits. */
export type S3rverRecord = S3rverEvent["Records"][number];

/** One object change, as the loop sees it. */
export interface ObjectChange {
  /** The bucket's name. */
  bucket: string;
  /** The key, decoded (as the client wrote it). */
  key: string;
  /** S3's event name without `s3:`, e.g. `ObjectCreated:Put`. */
  eventName: string;
  /** When the server processed the request, ISO 8601 with milliseconds. */
  eventTime: string;
  /** Size in bytes (not on deletes). */
  size?: number;
  /** ETag without quotes (Put and Post only: s3rver reports none for copies). */
  eTag?: string;
  /** The sequencer, upper-case hex, increasing across the loop's events. */
  sequencer: string;
  /** The client's address. */
  sourceIp: string;
  /** The request id. */
  requestId: string;
  /** The bucket's region. */
  region: string;
}

/** What an EventBridge event looks like (the fields this loop reads or writes). */
export interface EventBridgeEvent {
  version: string;
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** An SNS notification as SNS writes it into an SQS body or an email-json message. */
export interface SnsNotification {
  Type: "Notification";
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  UnsubscribeURL: string;
}

/** One message of a local queue. */
export interface QueueMessage {
  /** The message id. */
  messageId: string;
  /** The body, as sent. */
  body: string;
  /** When it was sent, ms since the epoch. */
  sentTimestamp: number;
  /** When it was first received, ms since the epoch (0 until then). */
  firstReceiveTimestamp: number;
  /** How many times it was received. */
  receiveCount: number;
  /** What caused it, as the loop tags its lines (`#3`: the third object event). */
  origin?: string;
}

/**
 * A sequencer source: upper-case hex, strictly increasing for the life of the loop (s3rver's own is
 * the millisecond clock, equal for two changes in one millisecond, which would make the newer one
 * look like a duplicate to the metadata index).
 */
export function sequencerSource(): () => string {
  let last = 0n;
  return () => {
    const now = BigInt(Date.now()) * 4096n;
    last = now > last ? now : last + 1n;
    return last.toString(16).toUpperCase().padStart(18, "0");
  };
}

/**
 * The change an s3rver record reports, with a sequencer from the loop.
 *
 * @param record - one record s3rver emitted.
 * @param sequencer - the sequencer to use.
 * @param region - the bucket's region.
 */
export function changeFromS3rver(record: S3rverRecord, sequencer: string, region: string): ObjectChange {
  const object = record.s3.object;
  const change: ObjectChange = {
    bucket: record.s3.bucket.name,
    key: object.key,
    eventName: record.eventName,
    eventTime: record.eventTime,
    sequencer,
    sourceIp: record.requestParameters.sourceIPAddress,
    requestId: record.responseElements["x-amz-request-id"] ?? randomHex(16),
    region,
  };
  if (object.size !== undefined && !record.eventName.startsWith("ObjectRemoved:")) change.size = object.size;
  if (object.eTag !== undefined) change.eTag = object.eTag;
  return change;
}

const randomHex = (length: number) =>
  randomBytes(Math.ceil(length / 2))
    .toString("hex")
    .slice(0, length)
    .toUpperCase();

/**
 * The key as S3 writes it in notifications: each path segment URL-encoded, `+` for a space (the
 * same encoding as filter values, {@link encodeFilterValue}).
 */
export const encodeNotificationKey = (key: string): string => encodeFilterValue(key);

/**
 * A native S3 event notification (`{"Records":[...]}`, eventVersion 2.1) for one change, as S3
 * sends it to Lambda, SQS and SNS.
 *
 * @param change - the change.
 * @param configurationId - the notification entry's Id (this product uses the route's name).
 */
export function s3Notification(change: ObjectChange, configurationId: string): { Records: unknown[] } {
  const object: Record<string, unknown> = { key: encodeNotificationKey(change.key) };
  if (change.size !== undefined) object.size = change.size;
  if (change.eTag !== undefined) object.eTag = change.eTag;
  object.sequencer = change.sequencer;
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: change.region,
        eventTime: change.eventTime,
        eventName: change.eventName,
        userIdentity: { principalId: "AWS:AIDALOCALS3RVERUSER" },
        requestParameters: { sourceIPAddress: change.sourceIp },
        responseElements: {
          "x-amz-request-id": change.requestId,
          "x-amz-id-2": createHash("sha256").update(change.requestId).digest("base64"),
        },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId,
          bucket: {
            name: change.bucket,
            ownerIdentity: { principalId: "A3LOCALS3RVEROWNER" },
            arn: `arn:aws:s3:::${change.bucket}`,
          },
          object,
        },
      },
    ],
  };
}

/** EventBridge's `time`: whole seconds. */
const bridgeTime = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The EventBridge event S3 sends for a change (bucket with EventBridge delivery on), or undefined
 * for an event type EventBridge does not carry.
 *
 * @param change - the change.
 * @param account - the bucket owner's account id.
 */
export function eventBridgeObjectEvent(change: ObjectChange, account: string): EventBridgeEvent | undefined {
  const type = CONCRETE_EVENT_TYPES.find((t): t is ConcreteEventType => t === `s3:${change.eventName}`);
  const fields = type ? eventBridgeFields(type) : undefined;
  if (!fields) return undefined;
  const object: Record<string, unknown> = { key: change.key };
  if (change.size !== undefined) object.size = change.size;
  if (change.eTag !== undefined) object.etag = change.eTag;
  object.sequencer = change.sequencer;
  const detail: Record<string, unknown> = {
    version: "0",
    bucket: { name: change.bucket },
    object,
    "request-id": change.requestId,
    requester: account,
    "source-ip-address": change.sourceIp,
    ...fields.detail,
  };
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": fields.detailType,
    source: "aws.s3",
    account,
    time: bridgeTime(change.eventTime),
    region: change.region,
    resources: [`arn:aws:s3:::${change.bucket}`],
    detail,
  };
}

/** A bucket-level call CloudTrail records. */
export type BucketCall = "CreateBucket" | "DeleteBucket";

/**
 * CloudTrail's record of a bucket call, as EventBridge delivers it (`AWS API Call via CloudTrail`).
 *
 * @param call - the call.
 * @param bucket - the bucket's name.
 * @param account - the account id.
 * @param region - the region.
 * @param sourceIp - the caller's address.
 */
export function cloudTrailBucketEvent(
  call: BucketCall,
  bucket: string,
  account: string,
  region: string,
  sourceIp: string,
): EventBridgeEvent {
  const now = bridgeTime(new Date().toISOString());
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.s3",
    account,
    time: now,
    region,
    resources: [],
    detail: {
      eventVersion: "1.08",
      userIdentity: {
        type: "IAMUser",
        arn: `arn:aws:iam::${account}:user/s3rver`,
        accountId: account,
        accessKeyId: "S3RVER",
      },
      eventTime: now,
      eventSource: "s3.amazonaws.com",
      eventName: call,
      awsRegion: region,
      sourceIPAddress: sourceIp,
      requestParameters: { bucketName: bucket, Host: "127.0.0.1" },
      responseElements: null,
      requestID: randomHex(16),
      eventID: randomUUID(),
      eventType: "AwsApiCall",
      managementEvent: true,
      readOnly: false,
      eventCategory: "Management",
    },
  };
}

/**
 * The notification SNS delivers for one published message (to SQS without raw delivery, to
 * email-json, and inside the Lambda record).
 *
 * @param topicArn - the topic.
 * @param message - the message published.
 * @param subject - the subject, if the publisher set one (S3 sets "Amazon S3 Notification").
 */
export function snsNotification(topicArn: string, message: string, subject?: string): SnsNotification {
  const region = topicArn.split(":")[3] ?? "us-east-1";
  const notification: SnsNotification = {
    Type: "Notification",
    MessageId: randomUUID(),
    TopicArn: topicArn,
    Message: message,
    Timestamp: new Date().toISOString(),
    SignatureVersion: "1",
    Signature: randomBytes(64).toString("base64"),
    SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService-local.pem`,
    UnsubscribeURL: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:local`,
  };
  if (subject !== undefined) notification.Subject = subject;
  return notification;
}

/**
 * The event Lambda receives from an SNS subscription.
 *
 * @param notification - what SNS delivers.
 * @param subscriptionArn - the subscription's ARN.
 */
export function snsLambdaEvent(
  notification: SnsNotification,
  subscriptionArn: string,
): { Records: unknown[] } {
  const { SigningCertURL, UnsubscribeURL, ...rest } = notification;
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          ...rest,
          Subject: notification.Subject ?? null,
          SigningCertUrl: SigningCertURL,
          UnsubscribeUrl: UnsubscribeURL,
          MessageAttributes: {},
        },
      },
    ],
  };
}

/**
 * One SQS record as an event source mapping hands it to a function.
 *
 * @param message - the queued message.
 * @param queueArn - the queue.
 */
export function sqsRecord(message: QueueMessage, queueArn: string): Record<string, unknown> {
  return {
    messageId: message.messageId,
    receiptHandle: `local-${message.messageId}-${message.receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentTimestamp),
      SenderId: "AIDALOCALSENDER",
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
    },
    messageAttributes: {},
    md5OfBody: createHash("md5").update(message.body).digest("hex"),
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(":")[3] ?? "us-east-1",
  };
}
