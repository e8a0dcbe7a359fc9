/**
 * The logging surface the handlers use: structured entries, a message plus attributes. Powertools'
 * `Logger` satisfies it; tests pass a recorder.
 */
import type { Context } from "aws-lambda";

/** Attributes added to one log entry. */
export type LogAttributes = Record<string, unknown>;

/** A structured logger: Powertools `Logger`, or a recorder in tests. */
export interface StructuredLogger {
  /** Logs at DEBUG. */
  debug(message: string, attributes: LogAttributes): void;
  /** Logs at INFO. */
  info(message: string, attributes: LogAttributes): void;
  /** Logs at WARN. */
  warn(message: string, attributes: LogAttributes): void;
  /** Logs at ERROR. */
  error(message: string, attributes: LogAttributes): void;
  /** Adds the invocation's context (request id, function name, cold start) to every entry, when supported. */
  addContext?(context: Context): void;
}
