/**
 * Delivery lag, recorded per record by every reference handler: the time from the event's own
 * time to the start of its processing, written as a CloudWatch metric in embedded metric format
 * (one JSON line to stdout; CloudWatch Logs turns it into the metric — no API call on the hot path).
 *
 * The line is the one Powertools Metrics printed for the same calls, key for key (it was used here
 * before; 13 KiB of bundle and its start-up for one fixed metric), and the same two variables switch
 * it off: `POWERTOOLS_METRICS_DISABLED` (1/y/yes/t/true/on or 0/n/no/f/false/off, any case; anything
 * else is refused at cold start, as Powertools refused it) and, when that is unset, `POWERTOOLS_DEV`.
 *
 * Dimensions are bounded: `Target` comes from the function's environment
 * ({@link LAG_TARGET_VARIABLE}, set by the component that deploys the handler; the function's name
 * otherwise), `Path` is one of the nine envelopes the parser knows ({@link LAG_PATHS}). Nothing
 * comes from the object key.
 */
import type { S3ObjectEvent } from "./events";
import {
  deliveryLagMs,
  LAG_DIMENSION_SETS,
  LAG_METRIC,
  LAG_NAMESPACE,
  LAG_PATHS,
  LAG_SERVICE,
  LAG_TARGET_VARIABLE,
  LAG_UNIT,
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
  const enabled = metricsEnabled(process.env);
  // The constant part of every line, written once; the timestamp, path and figure are filled in per record.
  const namespace = JSON.stringify(LAG_NAMESPACE);
  const head = `{"_aws":{"Timestamp":`;
  const middle =
    `,"CloudWatchMetrics":[{"Namespace":${namespace},"Dimensions":${JSON.stringify(LAG_DIMENSION_SETS)},` +
    `"Metrics":[{"Name":${JSON.stringify(LAG_METRIC)},"Unit":${JSON.stringify(LAG_UNIT)}}]}]},` +
    `"service":${JSON.stringify(LAG_SERVICE)},"Target":${JSON.stringify(target)},"Path":`;
  const figure = `,${JSON.stringify(LAG_METRIC)}:`;
  // Powertools wrote through its own Console on stdout (the global console in POWERTOOLS_DEV mode).
  const write = isTrue(process.env.POWERTOOLS_DEV)
    ? (line: string) => console.log(line)
    : (line: string) => process.stdout.write(`${line}\n`);
  return (event) => {
    const lag = enabled ? deliveryLagMs(event.eventTime, now()) : undefined;
    if (lag !== undefined) {
      // An envelope added to the parser later counts as "other" until it is named here.
      const path = (LAG_PATHS as readonly string[]).includes(event.source) ? event.source : "other";
      write(`${head}${Date.now()}${middle}${JSON.stringify(path)}${figure}${lag}}`);
    }
    return work(event);
  };
}

const TRUE = new Set(["1", "y", "yes", "t", "true", "on"]);
const FALSE = new Set(["0", "n", "no", "f", "false", "off"]);

/** A boolean variable as Powertools reads it: trimmed, any case; undefined when unset or not a boolean. */
function booleanOf(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const text = value.trim().toLowerCase();
  return TRUE.has(text) ? true : FALSE.has(text) ? false : undefined;
}

const isTrue = (value: string | undefined): boolean => booleanOf(value) === true;

/**
 * Whether the metric is written: `POWERTOOLS_METRICS_DISABLED` decides when set, otherwise
 * `POWERTOOLS_DEV` switches it off.
 *
 * @throws Error when `POWERTOOLS_METRICS_DISABLED` is set to something that is not a boolean.
 */
function metricsEnabled(env: NodeJS.ProcessEnv): boolean {
  const disabled = env.POWERTOOLS_METRICS_DISABLED;
  if (disabled === undefined) return !isTrue(env.POWERTOOLS_DEV);
  const value = booleanOf(disabled);
  if (value === undefined)
    throw new Error("Environment variable POWERTOOLS_METRICS_DISABLED must be a boolean");
  return !value;
}
