/**
 * The native S3 event (Powertools' S3 schema, widened as this project widens it) written with
 * valibot, for bench/handlers.ts: one of the validation options measured side by side (speed and
 * bundled size) against Powertools' zod schemas and the handlers' precompiled guards.
 */
import * as v from "valibot";

const str = v.string();
const identity = v.object({ principalId: str });

/** One record of a native S3 notification. */
export const S3RecordValibot = v.object({
  eventVersion: str,
  eventSource: v.literal("aws:s3"),
  awsRegion: str,
  eventTime: v.pipe(v.string(), v.isoTimestamp()),
  eventName: str,
  userIdentity: identity,
  requestParameters: v.object({ sourceIPAddress: str }),
  responseElements: v.object({ "x-amz-request-id": str, "x-amz-id-2": str }),
  s3: v.object({
    s3SchemaVersion: str,
    configurationId: str,
    object: v.object({
      key: str,
      size: v.optional(v.number()),
      urlDecodedKey: v.optional(str),
      eTag: v.optional(str),
      sequencer: v.optional(str),
      versionId: v.nullish(str),
    }),
    bucket: v.object({ name: str, ownerIdentity: identity, arn: str }),
  }),
  glacierEventData: v.optional(
    v.object({
      restoreEventData: v.object({ lifecycleRestorationExpiryTime: str, lifecycleRestoreStorageClass: str }),
    }),
  ),
});

/** A native S3 event notification, at least one record. */
export const S3EventValibot = v.object({ Records: v.pipe(v.array(S3RecordValibot), v.minLength(1)) });

/** True when `value` is a native S3 event. */
export const isS3EventValibot = (value: unknown): boolean => v.safeParse(S3EventValibot, value).success;
