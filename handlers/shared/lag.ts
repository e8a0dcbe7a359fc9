/**
 * Delivery lag, recorded per record by every reference handler: the time from the event's own
 * time to the start of its processing, written as a CloudWatch metric in embedded metric format
 * (Powertools Metrics prints one JSON line to stdout; CloudWatch Logs turns it into the metric —
 * no API call on the hot path).
 *
 * Dimensions are bounded: `Target` comes from the function's environment
 * ({@link LAG_TARGET_VARIABLE}, set by the component that deploys the handler; the function's name
 * otherwise), `Path` is one of the nine envelopes the parser knows ({@link LAG_PATHS}). Nothing
 * comes from the object key.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { S3ObjectEvent } from "./events";
import {
  deliveryLagMs,
  LAG_METRIC,
  LAG_NAMESPACE,
  LAG_PATHS,
  LAG_SERVICE,
  LAG_TARGET_VARIABLE,
} from "./lagMetric";

/** The environment as Lambda provides it (`process.env`). */
type Env = Readonly<Record<string, string | undefined>>;

/** How the lag is measured and where it goes; every field has a default. */
export interface DeliveryLagOptions {
  /** Where the target's name is read ({@link LAG_TARGET_VARIABLE}, then `AWS_LAMBDA_FUNCTION_NAME`). Default `process.env`. */
  env?: Env;
  /** The clock, milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * Wraps a handler's per-object work so that each record's delivery lag is published, as the work
 * starts, as one EMF line (metric {@link LAG_METRIC}, unit milliseconds).
 *
 * @param work - the per-object work.
 * @param options - environment and clock (tests).
 * @returns the same work, measured.
 */
export function withDeliveryLag<R>(
  work: (event: S3ObjectEvent) => Promise<R>,
  options: DeliveryLagOptions = {},
): (event: S3ObjectEvent) => Promise<R> {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const target = env[LAG_TARGET_VARIABLE]?.trim() || env.AWS_LAMBDA_FUNCTION_NAME || "unknown";
  const metrics = new Metrics({
    namespace: LAG_NAMESPACE,
    serviceName: LAG_SERVICE,
    defaultDimensions: { Target: target },
  });
  return (event) => {
    const lag = deliveryLagMs(event.eventTime, now());
    if (lag !== undefined) {
      // An envelope added to the parser later counts as "other" until it is named here.
      const path = (LAG_PATHS as readonly string[]).includes(event.source) ? event.source : "other";
      // Synchronous from the first call to the flush, so records processed in parallel never mix.
      metrics.addDimensions({}); // the set of the default dimensions alone: service, Target
      metrics.addDimension("Path", path); // the set with the path: service, Target, Path
      metrics.addMetric(LAG_METRIC, MetricUnit.Milliseconds, lag);
      metrics.publishStoredMetrics();
    }
    return work(event);
  };
}
