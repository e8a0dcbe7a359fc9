/**
 * The object index in DynamoDB, ordered by S3's sequencer so that an older event never overwrites
 * a newer one.
 *
 * Choice: one item per object key (`pk` = `s3://bucket/key`), carrying the sequencer of the change
 * it reflects (`sequencerSortKey`, right-padded so that DynamoDB's string `<` orders it as AWS
 * documents). Every write is a conditional Put: `attribute_not_exists(pk) OR sequencerSortKey <
 * :new`. A delete does not remove the item: it writes a tombstone (`state: "deleted"`) with the
 * delete's sequencer and a TTL (`expiresAt`), because a deleted item would let a late, older
 * create event bring the object back. DynamoDB's TTL removes tombstones after TOMBSTONE_TTL_DAYS;
 * keep that above the longest redelivery delay (SQS retention up to 14 days). Queries for live
 * objects filter on `state = "present"`.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { sequencerSortKey } from "../shared/sequencer";
import type { ExifSummary, ImageDimensions } from "./imageInfo";

/** What every index item carries. */
interface IndexItemBase {
  /** `s3://<bucket>/<key>`: the partition key. */
  pk: string;
  /** The bucket. */
  bucket: string;
  /** The key, decoded. */
  key: string;
  /** The sequencer of the change this item reflects, as S3 sent it. */
  sequencer: string;
  /** The sequencer right-padded to a fixed width: what the write condition compares. */
  sequencerSortKey: string;
  /** The event that wrote the item. */
  eventName: string;
  /** When S3 processed that event. */
  eventTime: string;
  /** When the handler wrote the item. */
  indexedAt: string;
}

/** An object that exists, with its metadata. */
export interface PresentItem extends IndexItemBase {
  /** Live. */
  state: "present";
  /** The current version id, in versioned buckets. */
  versionId?: string;
  /** ETag, without quotes. */
  eTag?: string;
  /** Size in bytes. */
  size: number;
  /** Content-Type. */
  contentType?: string;
  /** Last-Modified, ISO 8601. */
  lastModified?: string;
  /** Storage class, when not STANDARD. */
  storageClass?: string;
  /** User metadata (`x-amz-meta-*`), names lower-cased by S3. */
  userMetadata: Record<string, string>;
  /** Image dimensions, for images. */
  image?: ImageDimensions;
  /** EXIF tags, where present. */
  exif?: ExifSummary;
}

/** A deleted object, kept until `expiresAt` so that older events cannot resurrect it. */
export interface TombstoneItem extends IndexItemBase {
  /** Deleted. */
  state: "deleted";
  /** Epoch seconds; the table's TTL attribute. */
  expiresAt: number;
}

/** An index item. */
export type IndexItem = PresentItem | TombstoneItem;

/** The partition key of an object. */
export const indexKey = (bucket: string, key: string): string => `s3://${bucket}/${key}`;

/** The write condition, exactly as sent (tests' in-memory table evaluates this expression). */
export const NEWER_ONLY_CONDITION = "attribute_not_exists(#pk) OR #seq < :seq";

/**
 * The common fields of an item for one event.
 *
 * @param bucket - the bucket.
 * @param key - the key.
 * @param event - the event's sequencer, name and time.
 * @param now - the current time.
 */
export function itemBase(
  bucket: string,
  key: string,
  event: { sequencer: string; eventName: string; eventTime: string },
  now: Date,
): IndexItemBase {
  return {
    pk: indexKey(bucket, key),
    bucket,
    key,
    sequencer: event.sequencer,
    sequencerSortKey: sequencerSortKey(event.sequencer),
    eventName: event.eventName,
    eventTime: event.eventTime,
    indexedAt: now.toISOString(),
  };
}

/**
 * Writes the item unless the index already holds this change or a newer one.
 *
 * @param client - the DocumentClient.
 * @param tableName - the index table.
 * @param item - the item to write.
 * @returns `"written"`, or `"stale"` when the stored item is as new or newer.
 */
export async function putIfNewer(
  client: DynamoDBDocumentClient,
  tableName: string,
  item: IndexItem,
): Promise<"written" | "stale"> {
  try {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: NEWER_ONLY_CONDITION,
        ExpressionAttributeNames: { "#pk": "pk", "#seq": "sequencerSortKey" },
        ExpressionAttributeValues: { ":seq": item.sequencerSortKey },
      }),
    );
    return "written";
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return "stale";
    throw error;
  }
}
