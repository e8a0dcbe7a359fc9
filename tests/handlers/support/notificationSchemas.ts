/**
 * The envelope schemas `parseS3Notifications` validates with: Powertools for AWS Lambda's own
 * parser schemas, widened exactly where they reject events AWS really sends.
 *
 * Gaps found in `@aws-lambda-powertools/parser` 2.35 with this project's fixtures
 * (tests/fixtures/events), each fixed by one `.extend` below:
 * - `requestParameters.sourceIPAddress` is `z.ipv4() | "s3.amazonaws.com"`: an IPv6 client
 *   (dual-stack endpoints) fails the whole event. Widened to any string.
 * - `s3.object.versionId` is `string | undefined`: the documented structure says "object version if
 *   bucket is versioning-enabled, otherwise null", and a `null` fails. Widened to `string | null`.
 * - EventBridge `detail.source-ip-address` is `z.ipv4()`: same IPv6 gap. Widened to any string.
 * - `S3EventNotificationEventBridgeSchema` accepts any `source`; the parser checks `aws.s3` itself
 *   so that the error can say what arrived.
 * - No schema for `s3:TestEvent`; {@link S3TestEventSchema} is written from AWS's example.
 * Powertools' schemas strip unknown keys (`z.object`), so the extra blocks of eventVersion 2.2/2.3
 * (`replicationEventData`, `lifecycleEventData`, `intelligentTieringEventData`) and the newer
 * `detail.event-version` pass; the normalized record does not carry them.
 */
import { z } from "zod";
import { EventBridgeSchema } from "@aws-lambda-powertools/parser/schemas/eventbridge";
import { S3EventNotificationEventBridgeSchema, S3Schema } from "@aws-lambda-powertools/parser/schemas/s3";
import { SnsRecordSchema, SnsSqsNotificationSchema } from "@aws-lambda-powertools/parser/schemas/sns";
import { SqsRecordSchema } from "@aws-lambda-powertools/parser/schemas/sqs";

const PowertoolsS3Record = S3Schema.shape.Records.element;
const PowertoolsS3Entity = PowertoolsS3Record.shape.s3;

/** One record of a native S3 notification (`Records[n]`, `eventSource: "aws:s3"`). */
export const S3RecordSchema = PowertoolsS3Record.extend({
  requestParameters: z.object({ sourceIPAddress: z.string() }),
  s3: PowertoolsS3Entity.extend({
    object: PowertoolsS3Entity.shape.object.extend({ versionId: z.string().nullish() }),
  }),
});

/** A native S3 event notification: `{ "Records": [ ... ] }`, at least one record. */
export const S3EventSchema = z.object({ Records: z.array(S3RecordSchema).min(1) });

const PowertoolsDetail = S3EventNotificationEventBridgeSchema.shape.detail;

/** An S3 event delivered by EventBridge (`source: "aws.s3"`, kebab-case `detail`). */
export const S3EventBridgeEventSchema = EventBridgeSchema.extend({
  detail: PowertoolsDetail.extend({ "source-ip-address": z.string().optional() }),
});

/** The message S3 publishes when a notification configuration is saved. */
export const S3TestEventSchema = z.object({
  Service: z.literal("Amazon S3"),
  Event: z.literal("s3:TestEvent"),
  Time: z.string(),
  Bucket: z.string(),
  RequestId: z.string(),
  HostId: z.string(),
});

/** One SQS record as Lambda delivers it (Powertools' schema, unchanged). */
export { SqsRecordSchema };

/** One SNS record as Lambda delivers it (Powertools' schema, unchanged). */
export { SnsRecordSchema };

/** An SNS notification as SNS writes it into an SQS body without raw delivery (Powertools' schema). */
export { SnsSqsNotificationSchema };

/** A native S3 record, validated. */
export type S3Record = z.infer<typeof S3RecordSchema>;

/** An EventBridge S3 event, validated. */
export type S3EventBridgeEvent = z.infer<typeof S3EventBridgeEventSchema>;
