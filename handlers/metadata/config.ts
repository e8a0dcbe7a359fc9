/**
 * The metadata handler's configuration, read once from environment variables.
 */
import { configReader, Env } from "../shared/config";

/** The handler's name in messages. */
export const METADATA_OWNER = "metadata handler";

/** The validated configuration. */
export interface MetadataConfig {
  /** The DynamoDB index table (TABLE_NAME; partition key `pk`, string; TTL attribute `expiresAt`). */
  tableName: string;
  /** How long a delete tombstone is kept, in days (TOMBSTONE_TTL_DAYS, default 30). */
  tombstoneTtlDays: number;
  /** How many leading bytes of an image are read for dimensions and EXIF (METADATA_HEADER_BYTES, default 262144). */
  headerBytes: number;
}

/**
 * Reads and validates the configuration.
 *
 * @param env - the environment, usually `process.env`.
 * @throws ConfigError naming the variable at fault.
 */
export function parseMetadataConfig(env: Env): MetadataConfig {
  const read = configReader(env, METADATA_OWNER);
  return {
    tableName: read.required("TABLE_NAME", "s3-object-index"),
    tombstoneTtlDays: read.integer("TOMBSTONE_TTL_DAYS", 30, { min: 1, max: 3650 }),
    headerBytes: read.integer("METADATA_HEADER_BYTES", 262_144, { min: 4096, max: 16_777_216 }),
  };
}
