/**
 * The delivery-lag metric, named once: what the handlers write (./lag), what the alarms watch
 * (components/alarms), what the local loop prints (cli/local). Pure: no AWS or Powertools import.
 *
 * Delivery lag is the time from the event's own time — S3's `eventTime` (milliseconds) or
 * EventBridge's `time` (whole seconds) — to the moment a handler starts processing the record:
 * S3's eventual delivery, queues, retries and throttling all add to it.
 */
import type { EnvelopeSource } from "./events";

/** The CloudWatch namespace of the metric. */
export const LAG_NAMESPACE = "S3EventRoutes";

/** The metric's name. */
export const LAG_METRIC = "DeliveryLag";

/** The metric's unit (CloudWatch's name for it). */
export const LAG_UNIT = "Milliseconds";

/**
 * The `service` dimension of every dimension set (where Powertools Metrics puts its service name):
 * fixed, so an alarm can name the exact dimensions (a `POWERTOOLS_SERVICE_NAME` in the function's
 * environment does not change it).
 */
export const LAG_SERVICE = "s3-event-routes";

/**
 * The function's environment variable naming its `Target` dimension: set by the component that
 * deploys the handler (the reference handler's name, e.g. `thumbnails`). One value per function.
 */
export const LAG_TARGET_VARIABLE = "DELIVERY_LAG_TARGET";

/**
 * The delivery paths a record can arrive by: the `Path` dimension, one of these nine values
 * (the envelope the handlers' parser reports, every {@link EnvelopeSource}), never anything taken
 * from an object key.
 */
export const LAG_PATHS = [
  "s3",
  "sqs",
  "sns",
  "sns-sqs",
  "eventbridge",
  "eventbridge-sqs",
  "eventbridge-sns",
  "eventbridge-sns-sqs",
  "payload",
] as const satisfies readonly EnvelopeSource[];

// Every envelope the parser reports is a path of its own: a new source without a path is a compile error.
type MissingPaths = Exclude<EnvelopeSource, (typeof LAG_PATHS)[number]>;
const everySourceIsAPath: [MissingPaths] extends [never] ? true : MissingPaths = true;
void everySourceIsAPath;

/** One of {@link LAG_PATHS}. */
export type LagPath = (typeof LAG_PATHS)[number];

/**
 * The dimension sets every data point is published with: per target and delivery path (to see which
 * path waits), and per target (what the alarms watch).
 */
export const LAG_DIMENSION_SETS = [
  ["service", "Target", "Path"],
  ["service", "Target"],
] as const;

/**
 * Milliseconds from an event's time to `now`; 0 when the clocks disagree by a little and the
 * event seems to come from the future; `undefined` when the time cannot be read.
 *
 * @param eventTime - an ISO 8601 time, e.g. `2024-03-01T12:00:00.000Z`.
 * @param now - milliseconds since the epoch, when processing starts.
 */
export function deliveryLagMs(eventTime: string, now: number): number | undefined {
  const at = Date.parse(eventTime);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.round(now - at));
}

/**
 * The value at a percentile of a list, nearest rank (what `p50` / `p99` mean in the local loop's
 * summary); `undefined` for an empty list.
 *
 * @param values - the figures, in any order.
 * @param percentile - from 0 to 100.
 */
export function percentileOf(values: readonly number[], percentile: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}
