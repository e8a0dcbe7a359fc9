/**
 * Queue consumer entry point (bundled as index.handler): SQS batches of S3 notifications (S3 → SQS,
 * S3 → SNS → SQS, EventBridge → SQS), partial batch responses, default work: a logged analysis.
 *
 * Environment: IDEMPOTENCY_TABLE, IDEMPOTENCY_TTL_SECONDS (optional, see ../shared/idempotencySettings).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { configReader } from "../shared/config";
import { idempotencySettings, loadIdempotency } from "../shared/idempotencySettings";
import { withDeliveryLag } from "../shared/lag";
import { logAnalysis } from "./analysis";
import { createQueueConsumer } from "./consumer";

const logger = new Logger({ serviceName: "s3-queue-consumer" });
const idempotency = idempotencySettings(configReader(process.env, "queue consumer"));

/** The Lambda handler: SQS batches in; `{ batchItemFailures }` out. */
export const handler = createQueueConsumer({
  logger,
  processObject: withDeliveryLag(logAnalysis(logger)),
  idempotency: idempotency
    ? (work) => loadIdempotency(work, idempotency, process.env.AWS_LAMBDA_FUNCTION_NAME ?? "queue-consumer")
    : undefined,
});
