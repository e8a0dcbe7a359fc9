/**
 * The SQS queue consumer: Powertools BatchProcessor + processPartialResponse, each message parsed
 * with parseS3Notifications and handed object by object to a pluggable function. A message that
 * fails (not an S3 notification, or its work throws) is reported in `batchItemFailures`, so only it
 * returns to the queue and, after maxReceiveCount, to the DLQ; the rest of the batch succeeds.
 * The event source mapping must enable ReportBatchItemFailures.
 */
import type { Context, SQSBatchResponse } from "aws-lambda";
import type { S3ObjectEvent } from "../shared/events";
import type { IdempotentObjectRunner } from "../shared/idempotencyTypes";
import type { StructuredLogger } from "../shared/logging";
import { createObjectHandler } from "../shared/objectHandler";
import type { ObjectOutcome } from "../shared/outcome";
import { logAnalysis } from "./analysis";

/** How the consumer is assembled. */
export interface QueueConsumerOptions {
  /** Structured logs. */
  logger: StructuredLogger;
  /** The per-object function; default: log an analysis summary ({@link logAnalysis}). */
  processObject?: (event: S3ObjectEvent) => Promise<ObjectOutcome>;
  /** Wraps `processObject` idempotently (see loadIdempotency / makeObjectIdempotent). */
  idempotency?: (
    work: (event: S3ObjectEvent) => Promise<ObjectOutcome>,
  ) => IdempotentObjectRunner | Promise<IdempotentObjectRunner>;
  /** Process the batch's messages concurrently. Default true (the default work is cheap). */
  processInParallel?: boolean;
}

/** The consumer's Lambda handler. */
export type QueueConsumer = (event: unknown, context: Context) => Promise<SQSBatchResponse>;

/**
 * Builds the queue consumer.
 *
 * @param options - logger, per-object function, optional idempotency.
 */
export function createQueueConsumer(options: QueueConsumerOptions): QueueConsumer {
  const work = options.processObject ?? logAnalysis(options.logger);
  const handler = createObjectHandler({
    name: "queue-consumer",
    logger: options.logger,
    process: work,
    idempotency: options.idempotency?.(work),
    sqsOnly: true,
    processInParallel: options.processInParallel ?? true,
  });
  return async (event, context) => (await handler(event, context)) as SQSBatchResponse;
}
