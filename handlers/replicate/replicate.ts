/**
 * Replication work for one object event: mirror the source key's current state into the
 * destination. A create copies the current version server-side (CopyObject, MetadataDirective
 * COPY: Content-Type, user metadata and tags travel with it); a delete removes the replica once the
 * source is really gone.
 *
 * Safe under duplicates (copying the same version again, deleting an absent key: no change) and
 * out-of-order delivery: each event looks at the source first, so a late create for an object
 * deleted since does nothing, and a late delete for an object re-created since does nothing.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  HeadObjectCommandOutput,
  S3Client,
} from "@aws-sdk/client-s3";
import type { S3ObjectEvent } from "../shared/events";
import type { StructuredLogger } from "../shared/logging";
import { ObjectOutcome, processed, skipped } from "../shared/outcome";
import { explainS3Error, isObjectGone, isPreconditionFailed } from "../shared/s3Errors";
import { REPLICATE_OWNER, ReplicateConfig } from "./config";

/** What the replication work needs. */
export interface ReplicateDeps {
  /** The S3 client. */
  s3: S3Client;
  /** The validated configuration. */
  config: ReplicateConfig;
  /** Structured logs. */
  logger: StructuredLogger;
}

/** CopyObject's limit for a single request: 5 GiB. */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;

const REMOVAL_FAMILIES = ["ObjectRemoved:", "LifecycleExpiration:"];

/**
 * The `CopySource` value for a key: bucket, then the key URL-encoded segment by segment (S3
 * requires it encoded), then the version.
 *
 * @param bucket - the source bucket.
 * @param key - the source key, decoded.
 * @param versionId - the version to copy, in versioned buckets.
 */
export function copySource(bucket: string, key: string, versionId?: string): string {
  const path = `${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
  return versionId ? `${path}?versionId=${encodeURIComponent(versionId)}` : path;
}

/**
 * True when `key` in `bucket` is a replica this configuration writes.
 *
 * @param config - the configuration.
 * @param bucket - the event's bucket.
 * @param key - the event's key (decoded).
 */
export function isReplica(config: ReplicateConfig, bucket: string, key: string): boolean {
  return (config.destBucket ?? bucket) === bucket && key.startsWith(config.destPrefix);
}

const unquote = (etag: string | undefined): string | undefined => etag?.replace(/^"|"$/g, "");

/**
 * Creates the per-object function.
 *
 * @param deps - client, configuration, logger.
 */
export function createReplicateProcessor(
  deps: ReplicateDeps,
): (event: S3ObjectEvent) => Promise<ObjectOutcome> {
  const { s3, config, logger } = deps;

  const head = async (bucket: string, key: string): Promise<HeadObjectCommandOutput | undefined> => {
    try {
      return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (isObjectGone(error)) return undefined;
      throw explainS3Error(error, "s3:GetObject", bucket, key);
    }
  };

  return async (event) => {
    const { bucket, key } = event;
    const destBucket = config.destBucket ?? bucket;
    const destKey = config.destPrefix + key;
    const replica = `s3://${destBucket}/${destKey}`;
    if (isReplica(config, bucket, key)) return skipped("the object is one of this handler's replicas");

    if (event.eventName.startsWith("ObjectCreated:")) {
      const current = await head(bucket, key);
      if (!current)
        return skipped("object gone (deleted since the event); its delete event removes the replica");
      const currentTag = unquote(current.ETag);
      if (event.eTag !== undefined && currentTag !== undefined && currentTag !== event.eTag) {
        return skipped("stale event: the object was overwritten since; the newer event copies it");
      }
      const size = current.ContentLength ?? 0;
      if (size > MAX_SINGLE_COPY_BYTES) {
        throw new Error(
          `${REPLICATE_OWNER}: s3://${bucket}/${key} is ${size} bytes; CopyObject copies at most ${MAX_SINGLE_COPY_BYTES} ` +
            `bytes in one request and this handler does not do multipart copies (UploadPartCopy). ` +
            `Use S3 Replication or S3 Batch Operations for objects above 5 GiB.`,
        );
      }
      try {
        await s3.send(
          new CopyObjectCommand({
            Bucket: destBucket,
            Key: destKey,
            CopySource: copySource(bucket, key, current.VersionId),
            CopySourceIfMatch: current.ETag,
            MetadataDirective: "COPY",
            TaggingDirective: "COPY",
          }),
        );
      } catch (error) {
        if (isObjectGone(error) || isPreconditionFailed(error)) {
          return skipped("stale event: the object changed during the copy; the newer event copies it");
        }
        throw explainS3Error(
          error,
          "s3:PutObject",
          destBucket,
          destKey,
          `s3:GetObject, s3:GetObjectTagging (and s3:GetObjectVersion, s3:GetObjectVersionTagging for versioned sources) ` +
            `on arn:aws:s3:::${bucket}/* and s3:PutObject, s3:PutObjectTagging on arn:aws:s3:::${destBucket}/*`,
        );
      }
      logger.debug("replicate: copied", {
        from: `s3://${bucket}/${key}`,
        to: replica,
        versionId: current.VersionId,
      });
      return processed("copied", [replica]);
    }

    if (REMOVAL_FAMILIES.some((family) => event.eventName.startsWith(family))) {
      if (!config.replicateDeletes) return skipped("deletes are not replicated (REPLICATE_DELETES=false)");
      if (await head(bucket, key)) {
        return skipped(
          "the object exists again (re-created, or a noncurrent version was deleted); the replica stays",
        );
      }
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: destBucket, Key: destKey }));
      } catch (error) {
        throw explainS3Error(error, "s3:DeleteObject", destBucket, destKey);
      }
      return processed("replica deleted", [replica]);
    }
    return skipped(`not replicated: ${event.eventName}`);
  };
}
