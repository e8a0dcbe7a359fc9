/**
 * One Lambda handler shape for every reference handler: whatever the envelope, parse the object
 * events, run the per-object work (idempotently when configured), log one structured entry per
 * object. SQS batches go through Powertools' BatchProcessor + processPartialResponse, so a failing
 * message is reported in `batchItemFailures` (ReportBatchItemFailures) and only it is redelivered;
 * other envelopes fail the invocation when any object fails, so Lambda retries it.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSRecord } from "aws-lambda";
import { describeShape, parseS3Notifications, S3NotificationError, S3ObjectEvent } from "./events";
import type { IdempotentObjectRunner } from "./idempotencyTypes";
import type { StructuredLogger } from "./logging";
import type { ObjectOutcome } from "./outcome";

/** How a handler is assembled. */
export interface ObjectHandlerOptions {
  /** The handler's name, for messages, e.g. `"thumbnail"`. */
  name: string;
  /** Where structured logs go. */
  logger: StructuredLogger;
  /** The per-object work. */
  process: (event: S3ObjectEvent) => Promise<ObjectOutcome>;
  /** The idempotent version of `process`, when IDEMPOTENCY_TABLE is set (or a promise of it, loaded lazily). */
  idempotency?: IdempotentObjectRunner | Promise<IdempotentObjectRunner>;
  /** Accept SQS events only (the queue consumer). Default false. */
  sqsOnly?: boolean;
  /** Process the records of an SQS batch concurrently. Default false: image work is memory-bound. */
  processInParallel?: boolean;
}

/** What the handler returns for a non-SQS event. */
export interface DirectResult {
  /** One outcome per object event, in order. */
  outcomes: ObjectOutcome[];
}

/** A Lambda handler for S3 object events in any envelope. */
export type ObjectHandler = (event: unknown, context: Context) => Promise<SQSBatchResponse | DirectResult>;

const isSqsEvent = (event: unknown): event is { Records: SQSRecord[] } => {
  if (typeof event !== "object" || event === null) return false;
  const records = (event as { Records?: unknown }).Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every(
      (r) =>
        typeof r === "object" && r !== null && (r as { eventSource?: unknown }).eventSource === "aws:sqs",
    )
  );
};

/**
 * Builds the handler.
 *
 * @param options - name, logger, per-object work, optional idempotency.
 */
export function createObjectHandler(options: ObjectHandlerOptions): ObjectHandler {
  const { name, logger } = options;
  const processor = new BatchProcessor(EventType.SQS);
  const loading = options.idempotency === undefined ? undefined : Promise.resolve(options.idempotency);
  loading?.catch(() => undefined); // a failed load is reported by the first invocation, not as an unhandled rejection
  let idempotency: IdempotentObjectRunner | undefined;

  const runOne = async (event: S3ObjectEvent): Promise<ObjectOutcome> => {
    const where = {
      bucket: event.bucket,
      key: event.key,
      eventName: event.eventName,
      versionId: event.versionId,
      sequencer: event.sequencer,
      source: event.source,
      messageId: event.messageId,
    };
    try {
      const outcome = idempotency ? await idempotency.run(event) : await options.process(event);
      logger.info(`${name}: ${outcome.status} (${outcome.reason})`, { ...where, outcome });
      return outcome;
    } catch (error) {
      logger.error(`${name}: failed`, { ...where, error: (error as Error).message });
      throw error;
    }
  };

  const runAll = async (events: S3ObjectEvent[]): Promise<ObjectOutcome[]> => {
    const outcomes: ObjectOutcome[] = [];
    for (const event of events) outcomes.push(await runOne(event));
    return outcomes;
  };

  const acknowledgeTest = (where: Record<string, unknown>) =>
    logger.info(`${name}: s3:TestEvent acknowledged, nothing to do`, where);

  return async (event, context) => {
    logger.addContext?.(context);
    idempotency = await loading;
    idempotency?.registerContext(context);
    if (isSqsEvent(event)) {
      return processPartialResponse(
        event,
        async (record: SQSRecord) => {
          let events: S3ObjectEvent[];
          try {
            events = parseS3Notifications({ Records: [record] });
          } catch (error) {
            logger.error(`${name}: message is not an S3 notification`, {
              messageId: record.messageId,
              error: (error as Error).message,
            });
            throw error;
          }
          if (events.length === 0) acknowledgeTest({ messageId: record.messageId });
          return runAll(events);
        },
        processor,
        { context, processInParallel: options.processInParallel ?? false },
      );
    }
    if (options.sqsOnly) {
      throw new S3NotificationError(
        `${name}: received ${describeShape(event)}; expected an SQS event ({"Records":[...]} with eventSource "aws:sqs").`,
      );
    }
    const events = parseS3Notifications(event);
    if (events.length === 0) acknowledgeTest({});
    const outcomes: ObjectOutcome[] = [];
    const failures: string[] = [];
    let firstError: unknown;
    for (const object of events) {
      try {
        outcomes.push(await runOne(object));
      } catch (error) {
        firstError ??= error;
        failures.push(`s3://${object.bucket}/${object.key}: ${(error as Error).message}`);
      }
    }
    if (failures.length > 0) {
      throw new Error(
        `${name}: ${failures.length} of ${events.length} object events failed: ${failures.join(" | ")}`,
        {
          cause: firstError,
        },
      );
    }
    return { outcomes };
  };
}
