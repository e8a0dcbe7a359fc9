/**
 * What a handler did with one object event. JSON-serializable, because the idempotency layer
 * stores it and returns it for duplicates.
 */

/** The result of processing one object event. */
export interface ObjectOutcome {
  /** `processed` when the handler acted, `skipped` when there was nothing (more) to do. */
  status: "processed" | "skipped";
  /** Why, in a few words: `"thumbnails written"`, `"object gone"`, `"zero-byte object"`, … */
  reason: string;
  /** S3 URIs (or index keys) written or deleted, in order. */
  outputs?: string[];
  /** Set on a duplicate delivery: the stored outcome of the first one, nothing re-done. */
  duplicate?: boolean;
}

/**
 * A processed outcome.
 *
 * @param reason - what was done.
 * @param outputs - what was written or deleted.
 */
export const processed = (reason: string, outputs?: string[]): ObjectOutcome =>
  outputs ? { status: "processed", reason, outputs } : { status: "processed", reason };

/**
 * A skipped outcome.
 *
 * @param reason - why nothing was done.
 */
export const skipped = (reason: string): ObjectOutcome => ({ status: "skipped", reason });
