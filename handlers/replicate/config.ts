/**
 * The replicate handler's configuration, read once from environment variables, and the refusal of
 * a configuration that would replicate its own replicas.
 */
import { describeFilter, filtersOverlap, ObjectFilter } from "../../model/objectFilter";
import { ConfigError, configReader, Env } from "../shared/config";

/** The handler's name in messages. */
export const REPLICATE_OWNER = "replicate handler";

/** The validated configuration. */
export interface ReplicateConfig {
  /** Destination bucket (DEST_BUCKET); undefined copies within the bucket the event came from. */
  destBucket?: string;
  /** Prepended to every key (DEST_PREFIX, default empty): `photos/a.jpg` → `<DEST_PREFIX>photos/a.jpg`. */
  destPrefix: string;
  /** The bucket the route triggers on (SOURCE_BUCKET), when known. */
  sourceBucket?: string;
  /** The route's filter (SOURCE_PREFIX, SOURCE_SUFFIX). */
  sourceFilter: ObjectFilter;
  /** Apply deletes to the replica (REPLICATE_DELETES, default true). */
  replicateDeletes: boolean;
}

/**
 * Reads and validates the configuration.
 *
 * @param env - the environment, usually `process.env`.
 * @throws ConfigError naming the variable at fault, or refusing a replication loop.
 */
export function parseReplicateConfig(env: Env): ReplicateConfig {
  const read = configReader(env, REPLICATE_OWNER);
  const sourceFilter: ObjectFilter = {};
  const prefix = read.filterValue("SOURCE_PREFIX", "prefix");
  const suffix = read.filterValue("SOURCE_SUFFIX", "suffix");
  if (prefix !== undefined) sourceFilter.prefix = prefix;
  if (suffix !== undefined) sourceFilter.suffix = suffix;
  const config: ReplicateConfig = {
    destPrefix: read.filterValue("DEST_PREFIX", "prefix") ?? "",
    sourceFilter,
    replicateDeletes: read.boolean("REPLICATE_DELETES", true),
  };
  const destBucket = read.bucket("DEST_BUCKET");
  const sourceBucket = read.bucket("SOURCE_BUCKET");
  if (destBucket !== undefined) config.destBucket = destBucket;
  if (sourceBucket !== undefined) config.sourceBucket = sourceBucket;
  refuseReplicationLoop(config);
  return config;
}

/** The filter every replica key matches: DEST_PREFIX + SOURCE_PREFIX, and SOURCE_SUFFIX. */
export function replicaFilter(config: Pick<ReplicateConfig, "destPrefix" | "sourceFilter">): ObjectFilter {
  const filter: ObjectFilter = { prefix: config.destPrefix + (config.sourceFilter.prefix ?? "") };
  if (config.sourceFilter.suffix !== undefined) filter.suffix = config.sourceFilter.suffix;
  return filter;
}

/**
 * Throws when replicas would land in the source bucket under keys the trigger filter matches.
 *
 * @param config - the configuration to check.
 * @throws ConfigError explaining the loop and the ways out.
 */
export function refuseReplicationLoop(config: ReplicateConfig): void {
  const sameBucket = config.destBucket === undefined || config.destBucket === config.sourceBucket;
  const replicas = replicaFilter(config);
  if (!sameBucket || !filtersOverlap(replicas, config.sourceFilter)) return;
  const where =
    config.destBucket === undefined
      ? "the source bucket (DEST_BUCKET is unset)"
      : `bucket "${config.destBucket}", which is SOURCE_BUCKET`;
  throw new ConfigError(
    `${REPLICATE_OWNER}: replicas would be written to ${where} as ${describeFilter(replicas)}, which the trigger ` +
      `(${describeFilter(config.sourceFilter)}) also matches: every copy would be copied again. ` +
      `Set DEST_BUCKET to another bucket, or DEST_PREFIX so that replicas fall outside SOURCE_PREFIX.`,
  );
}
