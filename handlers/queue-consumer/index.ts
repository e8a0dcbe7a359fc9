/**
 * Queue consumer entry point (bundled as index.handler): SQS batches of S3 notifications (S3 → SQS,
 * S3 → SNS → SQS, EventBridge → SQS), partial batch responses, default work: a logged analysis.
 *
 * Environment: IDEMPOTENCY_TABLE, IDEMPOTENCY_TTL_SECONDS (optional, see ../shared/idempotency).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { configReader } from "../shared/config";
import { idempotencySettings, makeObjectIdempotent } from "../shared/idempotency";
import { createQueueConsumer } from "./consumer";

const logger = new Logger({ serviceName: "s3-queue-consumer" });
const idempotency = idempotencySettings(configReader(process.env, "queue consumer"));
const dynamodb = idempotency ? new DynamoDBClient({}) : undefined;

/** The Lambda handler: SQS batches in; `{ batchItemFailures }` out. */
export const handler = createQueueConsumer({
  logger,
  idempotency:
    idempotency && dynamodb
      ? (work) =>
          makeObjectIdempotent(
            work,
            idempotency,
            dynamodb,
            process.env.AWS_LAMBDA_FUNCTION_NAME ?? "queue-consumer",
          )
      : undefined,
});
