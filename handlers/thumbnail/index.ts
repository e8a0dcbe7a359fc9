/**
 * Thumbnail handler entry point (bundled as index.handler).
 *
 * Environment: THUMBNAIL_SIZES, THUMBNAIL_FORMAT, DEST_BUCKET, DEST_PREFIX, SOURCE_BUCKET,
 * SOURCE_PREFIX, SOURCE_SUFFIX, THUMBNAIL_MAX_PIXELS, THUMBNAIL_MAX_BYTES, IDEMPOTENCY_TABLE,
 * IDEMPOTENCY_TTL_SECONDS (see ./config and ../shared/idempotencySettings). A configuration that would
 * trigger itself is refused here, at cold start.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import { configReader } from "../shared/config";
import { idempotencySettings, loadIdempotency } from "../shared/idempotencySettings";
import { lazySharp } from "../shared/lazySharp";
import { withDeliveryLag } from "../shared/lag";
import { createObjectHandler } from "../shared/objectHandler";
import { parseThumbnailConfig, THUMBNAIL_OWNER } from "./config";
import { createThumbnailProcessor } from "./thumbnails";

// Every image this handler exists for needs sharp: load it at cold start, not on the first event.
lazySharp();

const logger = new Logger({ serviceName: "s3-thumbnail" });
const config = parseThumbnailConfig(process.env);
const idempotency = idempotencySettings(configReader(process.env, THUMBNAIL_OWNER));
const s3 = new S3Client({});
const work = withDeliveryLag(createThumbnailProcessor({ s3, config, logger }));

/** The Lambda handler: S3, SQS, SNS or EventBridge events in; thumbnails out. */
export const handler = createObjectHandler({
  name: "thumbnail",
  logger,
  process: work,
  idempotency: idempotency
    ? loadIdempotency(work, idempotency, process.env.AWS_LAMBDA_FUNCTION_NAME ?? "thumbnail")
    : undefined,
});
