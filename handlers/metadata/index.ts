/**
 * Metadata handler entry point (bundled as index.handler): content type, size, ETag, user
 * metadata, image dimensions and EXIF, indexed in DynamoDB on create, tombstoned on delete.
 *
 * Environment: TABLE_NAME (required), TOMBSTONE_TTL_DAYS, METADATA_HEADER_BYTES,
 * IDEMPOTENCY_TABLE, IDEMPOTENCY_TTL_SECONDS (see ./config and ../shared/idempotencySettings).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { configReader } from "../shared/config";
import { idempotencySettings, loadIdempotency } from "../shared/idempotencySettings";
import { withDeliveryLag } from "../shared/lag";
import { createObjectHandler } from "../shared/objectHandler";
import { METADATA_OWNER, parseMetadataConfig } from "./config";
import { createMetadataProcessor } from "./metadata";

const logger = new Logger({ serviceName: "s3-metadata" });
const config = parseMetadataConfig(process.env);
const idempotency = idempotencySettings(configReader(process.env, METADATA_OWNER));
const dynamodb = new DynamoDBClient({});
const documents = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
const work = withDeliveryLag(createMetadataProcessor({ s3: new S3Client({}), documents, config, logger }));

/** The Lambda handler: S3, SQS, SNS or EventBridge events in; index entries and tombstones out. */
export const handler = createObjectHandler({
  name: "metadata",
  logger,
  process: work,
  idempotency: idempotency
    ? loadIdempotency(work, idempotency, process.env.AWS_LAMBDA_FUNCTION_NAME ?? "metadata", dynamodb)
    : undefined,
});
