/**
 * The idempotency layer's contract, apart from both its sides: the settings read from the
 * environment (./idempotencySettings) and the Powertools implementation loaded lazily
 * (./idempotency, its own file in the Lambda archive). Types only: importing this module loads nothing.
 */
import type { Context } from "aws-lambda";
import type { S3ObjectEvent } from "./events";
import type { ObjectOutcome } from "./outcome";

/** Where and for how long outcomes are remembered. */
export interface IdempotencySettings {
  /** The DynamoDB table (partition key `id`, string; TTL attribute `expiration`). */
  tableName: string;
  /** How long a completed outcome is remembered, in seconds. */
  expiresAfterSeconds: number;
}

/** A per-object function made idempotent. */
export interface IdempotentObjectRunner {
  /** Runs the work once per idempotency key; duplicates get the stored outcome, marked `duplicate`. */
  run(event: S3ObjectEvent): Promise<ObjectOutcome>;
  /** Hands the invocation's context over, so an in-progress record expires with the invocation. */
  registerContext(context: Context): void;
}
