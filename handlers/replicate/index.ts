/**
 * Replicate handler entry point (bundled as index.handler): copies created objects to another
 * bucket or prefix, preserving metadata, and applies deletes.
 *
 * Environment: DEST_BUCKET, DEST_PREFIX, SOURCE_BUCKET, SOURCE_PREFIX, SOURCE_SUFFIX,
 * REPLICATE_DELETES, IDEMPOTENCY_TABLE, IDEMPOTENCY_TTL_SECONDS (see ./config). A configuration that
 * would replicate its own replicas is refused here, at cold start.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import { configReader } from "../shared/config";
import { idempotencySettings, loadIdempotency } from "../shared/idempotencySettings";
import { withDeliveryLag } from "../shared/lag";
import { createObjectHandler } from "../shared/objectHandler";
import { parseReplicateConfig, REPLICATE_OWNER } from "./config";
import { createReplicateProcessor } from "./replicate";

const logger = new Logger({ serviceName: "s3-replicate" });
const config = parseReplicateConfig(process.env);
const idempotency = idempotencySettings(configReader(process.env, REPLICATE_OWNER));
const work = withDeliveryLag(createReplicateProcessor({ s3: new S3Client({}), config, logger }));

/** The Lambda handler: S3, SQS, SNS or EventBridge events in; copies and deletes out. */
export const handler = createObjectHandler({
  name: "replicate",
  logger,
  process: work,
  processInParallel: true,
  idempotency: idempotency
    ? loadIdempotency(work, idempotency, process.env.AWS_LAMBDA_FUNCTION_NAME ?? "replicate")
    : undefined,
});
