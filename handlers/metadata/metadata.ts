/**
 * Metadata work for one object event: index the object's current state (HeadObject, plus image
 * dimensions and EXIF from its first bytes) under the event's sequencer, or a tombstone when the
 * object no longer exists.
 *
 * Reading the current state rather than trusting the event makes every event converge on the
 * truth; the sequencer condition makes the newest event win whatever order they arrive in; a
 * duplicate is refused by the same condition (an equal sequencer is not newer).
 */
import { GetObjectCommand, HeadObjectCommand, HeadObjectCommandOutput, S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { S3ObjectEvent } from "../shared/events";
import type { StructuredLogger } from "../shared/logging";
import { readObjectBody } from "../shared/objectBody";
import { ObjectOutcome, processed, skipped } from "../shared/outcome";
import { explainS3Error, isObjectGone, isPreconditionFailed } from "../shared/s3Errors";
import { METADATA_OWNER, MetadataConfig } from "./config";
import { looksLikeImage, readDimensions, readExif } from "./imageInfo";
import { IndexItem, itemBase, PresentItem, putIfNewer } from "./objectIndex";

/** What the metadata work needs. */
export interface MetadataDeps {
  /** The S3 client. */
  s3: S3Client;
  /** The DynamoDB DocumentClient. */
  documents: DynamoDBDocumentClient;
  /** The validated configuration. */
  config: MetadataConfig;
  /** Structured logs. */
  logger: StructuredLogger;
  /** The clock (tests fix it). */
  now?: () => Date;
}

const INDEXED_FAMILIES = ["ObjectCreated:", "ObjectRemoved:", "LifecycleExpiration:"];

const unquote = (etag: string | undefined): string | undefined => etag?.replace(/^"|"$/g, "");

type Read =
  | { kind: "present"; head: HeadObjectCommandOutput; header?: Buffer }
  | { kind: "gone" }
  | { kind: "changed" };

/**
 * Creates the per-object function.
 *
 * @param deps - clients, configuration, logger.
 */
export function createMetadataProcessor(
  deps: MetadataDeps,
): (event: S3ObjectEvent) => Promise<ObjectOutcome> {
  const { s3, documents, config, logger } = deps;
  const now = deps.now ?? (() => new Date());

  const readCurrent = async (bucket: string, key: string): Promise<Read> => {
    let head: HeadObjectCommandOutput;
    try {
      head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (isObjectGone(error)) return { kind: "gone" };
      throw explainS3Error(error, "s3:GetObject", bucket, key);
    }
    const size = head.ContentLength ?? 0;
    if (size === 0 || !looksLikeImage(head.ContentType, key)) return { kind: "present", head };
    try {
      const response = await s3.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          Range: `bytes=0-${Math.min(size, config.headerBytes) - 1}`,
          IfMatch: head.ETag,
          VersionId: head.VersionId,
        }),
      );
      const header = await readObjectBody(response.Body, config.headerBytes, `s3://${bucket}/${key}`);
      return { kind: "present", head, header };
    } catch (error) {
      if (isObjectGone(error) || isPreconditionFailed(error)) return { kind: "changed" };
      throw explainS3Error(error, "s3:GetObject", bucket, key);
    }
  };

  return async (event) => {
    const { bucket, key, sequencer } = event;
    if (!INDEXED_FAMILIES.some((family) => event.eventName.startsWith(family))) {
      return skipped(`not indexed: ${event.eventName} changes neither content nor existence`);
    }
    if (sequencer === undefined) {
      throw new Error(
        `${METADATA_OWNER}: ${event.eventName} for s3://${bucket}/${key} carries no sequencer, so its order ` +
          `against other events on the key is unknown. S3 always sends one on creates and deletes; check what produced this event.`,
      );
    }
    const current = await readCurrent(bucket, key);
    if (current.kind === "changed") {
      return skipped("stale event: the object changed while it was read; the newer event indexes it");
    }
    const base = itemBase(
      bucket,
      key,
      { sequencer, eventName: event.eventName, eventTime: event.eventTime },
      now(),
    );
    let item: IndexItem;
    if (current.kind === "gone") {
      item = {
        ...base,
        state: "deleted",
        expiresAt: Math.floor(now().getTime() / 1000) + config.tombstoneTtlDays * 86400,
      };
    } else {
      const { head, header } = current;
      const present: PresentItem = {
        ...base,
        state: "present",
        size: head.ContentLength ?? 0,
        userMetadata: head.Metadata ?? {},
      };
      if (head.VersionId !== undefined) present.versionId = head.VersionId;
      const eTag = unquote(head.ETag);
      if (eTag !== undefined) present.eTag = eTag;
      if (head.ContentType !== undefined) present.contentType = head.ContentType;
      if (head.LastModified !== undefined) present.lastModified = head.LastModified.toISOString();
      if (head.StorageClass !== undefined) present.storageClass = head.StorageClass;
      if (header) {
        const image = await readDimensions(header);
        const exif = await readExif(header);
        if (image) present.image = image;
        if (exif) present.exif = exif;
        if (!image)
          logger.info("metadata: not a readable image", { bucket, key, contentType: head.ContentType });
      }
      item = present;
    }
    let result: "written" | "stale";
    try {
      result = await putIfNewer(documents, config.tableName, item);
    } catch (error) {
      throw new Error(
        `${METADATA_OWNER}: dynamodb:PutItem on table "${config.tableName}" failed for ${item.pk} ` +
          `(${(error as Error).name}: ${(error as Error).message}). The role needs dynamodb:PutItem on the table.`,
        { cause: error },
      );
    }
    if (result === "stale") {
      return skipped("stale or duplicate event: the index already holds this change or a newer one");
    }
    return processed(item.state === "deleted" ? "tombstone written" : "index entry written", [item.pk]);
  };
}
