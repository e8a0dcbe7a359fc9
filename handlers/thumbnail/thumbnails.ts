/**
 * Thumbnail work for one object event: read the current object (bounded), decode once with sharp
 * (pixel limit, sequential read, EXIF orientation applied), write one thumbnail per size.
 *
 * Safe under duplicates (same input, same output keys: rewriting is harmless) and out-of-order
 * delivery (an event whose ETag or version no longer is the object's current one is skipped: the
 * newer event renders the newer content). Not an image, zero bytes, too large, gone: acknowledged
 * with a log entry, never retried.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { S3ObjectEvent } from "../shared/events";
import type { StructuredLogger } from "../shared/logging";
import { discardObjectBody, ObjectTooLargeError, readObjectBody } from "../shared/objectBody";
import { ObjectOutcome, processed, skipped } from "../shared/outcome";
import { explainS3Error, isObjectGone, isPreconditionFailed } from "../shared/s3Errors";
import { THUMBNAIL_CONTENT_TYPES, THUMBNAIL_EXTENSIONS, ThumbnailConfig } from "./config";
import { lazySharp } from "../shared/lazySharp";

/** What the thumbnail work needs. */
export interface ThumbnailDeps {
  /** The S3 client (module scope in the handler). */
  s3: S3Client;
  /** The validated configuration. */
  config: ThumbnailConfig;
  /** Structured logs. */
  logger: StructuredLogger;
}

/**
 * The key of one thumbnail: DEST_PREFIX + the source key without its extension + `-<size>.<ext>`,
 * e.g. `thumbnails/raw photos/a-128.webp` for `raw photos/a.jpg`.
 *
 * @param config - destination prefix and format.
 * @param key - the source key (decoded).
 * @param size - the bounding-box size.
 */
export function thumbnailKey(
  config: Pick<ThumbnailConfig, "destPrefix" | "format">,
  key: string,
  size: number,
): string {
  const stem = key.replace(/\.[^./]*$/, "");
  return `${config.destPrefix}${stem}-${size}.${THUMBNAIL_EXTENSIONS[config.format]}`;
}

/**
 * True when `key` in `bucket` is a thumbnail this configuration writes.
 *
 * @param config - the configuration.
 * @param bucket - the event's bucket.
 * @param key - the event's key (decoded).
 */
export function isOwnOutput(config: ThumbnailConfig, bucket: string, key: string): boolean {
  const destBucket = config.destBucket ?? bucket;
  const ext = THUMBNAIL_EXTENSIONS[config.format];
  return (
    destBucket === bucket &&
    key.startsWith(config.destPrefix) &&
    config.sizes.some((s) => key.endsWith(`-${s}.${ext}`))
  );
}

const unquote = (etag: string | undefined): string | undefined => etag?.replace(/^"|"$/g, "");

function classifyImageError(error: Error, config: ThumbnailConfig): string {
  if (/unsupported image format/i.test(error.message)) return "not an image";
  if (/pixel limit/i.test(error.message))
    return `image larger than THUMBNAIL_MAX_PIXELS (${config.maxInputPixels} pixels)`;
  return `unreadable image (${error.message})`;
}

/**
 * Creates the per-object function.
 *
 * @param deps - client, configuration, logger.
 */
export function createThumbnailProcessor(
  deps: ThumbnailDeps,
): (event: S3ObjectEvent) => Promise<ObjectOutcome> {
  const { s3, config, logger } = deps;
  return async (event) => {
    const { bucket, key } = event;
    const where = `s3://${bucket}/${key}`;
    if (!event.eventName.startsWith("ObjectCreated:"))
      return skipped(`not a create event (${event.eventName})`);
    if (isOwnOutput(config, bucket, key)) return skipped("the object is one of this handler's thumbnails");
    if (event.size === 0) return skipped("zero-byte object");
    if (event.size !== undefined && event.size > config.maxInputBytes) {
      return skipped(
        `object larger than THUMBNAIL_MAX_BYTES (${event.size} > ${config.maxInputBytes} bytes)`,
      );
    }

    let input: Buffer;
    try {
      const response = await s3.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          IfMatch: event.eTag ? `"${event.eTag}"` : undefined,
        }),
      );
      const currentTag = unquote(response.ETag);
      const overwritten =
        (event.eTag !== undefined && currentTag !== undefined && currentTag !== event.eTag) ||
        (event.versionId !== undefined &&
          response.VersionId !== undefined &&
          response.VersionId !== event.versionId);
      if (overwritten) {
        discardObjectBody(response.Body);
        return skipped("stale event: the object was overwritten since; the newer event renders it");
      }
      if (response.ContentLength === 0) return skipped("zero-byte object");
      input = await readObjectBody(response.Body, config.maxInputBytes, where);
    } catch (error) {
      if (isObjectGone(error)) return skipped("object gone (deleted since the event)");
      if (isPreconditionFailed(error))
        return skipped("stale event: the object was overwritten since; the newer event renders it");
      if (error instanceof ObjectTooLargeError) {
        return skipped(`object larger than THUMBNAIL_MAX_BYTES (${config.maxInputBytes} bytes)`);
      }
      throw explainS3Error(error, "s3:GetObject", bucket, key);
    }
    if (input.length === 0) return skipped("zero-byte object");

    const image = lazySharp()(input, {
      limitInputPixels: config.maxInputPixels,
      sequentialRead: true,
      failOn: "error",
      autoOrient: true,
    });
    const destBucket = config.destBucket ?? bucket;
    const outputs: string[] = [];
    const rendered: { key: string; data: Buffer; width: number; height: number }[] = [];
    try {
      for (const size of config.sizes) {
        const { data, info } = await image
          .clone()
          .resize({ width: size, height: size, fit: "inside", withoutEnlargement: true })
          .toFormat(config.format)
          .toBuffer({ resolveWithObject: true });
        rendered.push({ key: thumbnailKey(config, key, size), data, width: info.width, height: info.height });
      }
    } catch (error) {
      const reason = classifyImageError(error as Error, config);
      logger.warn("thumbnail: image not rendered", { bucket, key, reason });
      return skipped(reason);
    }
    for (const thumb of rendered) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: destBucket,
            Key: thumb.key,
            Body: thumb.data,
            ContentType: THUMBNAIL_CONTENT_TYPES[config.format],
            Metadata: {
              "source-bucket": bucket,
              "source-key": encodeURIComponent(key),
              ...(event.eTag ? { "source-etag": event.eTag } : {}),
              ...(event.versionId ? { "source-version-id": event.versionId } : {}),
            },
          }),
        );
      } catch (error) {
        throw explainS3Error(error, "s3:PutObject", destBucket, thumb.key);
      }
      logger.debug("thumbnail: written", {
        bucket: destBucket,
        key: thumb.key,
        width: thumb.width,
        height: thumb.height,
      });
      outputs.push(`s3://${destBucket}/${thumb.key}`);
    }
    return processed("thumbnails written", outputs);
  };
}
