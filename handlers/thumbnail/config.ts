/**
 * The thumbnail handler's configuration, read once from environment variables, and the refusal of
 * a configuration whose output would trigger the handler again.
 */
import { describeFilter, filtersOverlap, ObjectFilter } from "../../model/objectFilter";
import { ConfigError, configReader, Env } from "../shared/config";

/** Output formats offered. */
export const THUMBNAIL_FORMATS = ["webp", "jpeg", "png"] as const;

/** An output format. */
export type ThumbnailFormat = (typeof THUMBNAIL_FORMATS)[number];

/** File extension written for each format. */
export const THUMBNAIL_EXTENSIONS: Readonly<Record<ThumbnailFormat, string>> = {
  webp: "webp",
  jpeg: "jpg",
  png: "png",
};

/** Content-Type written for each format. */
export const THUMBNAIL_CONTENT_TYPES: Readonly<Record<ThumbnailFormat, string>> = {
  webp: "image/webp",
  jpeg: "image/jpeg",
  png: "image/png",
};

/** The validated configuration. */
export interface ThumbnailConfig {
  /** Bounding-box sizes in pixels (THUMBNAIL_SIZES, default `128,512`); aspect ratio kept, never enlarged. */
  sizes: number[];
  /** Output format (THUMBNAIL_FORMAT, default `webp`). */
  format: ThumbnailFormat;
  /** Destination bucket (DEST_BUCKET); undefined writes into the bucket the event came from. */
  destBucket?: string;
  /** Destination key prefix (DEST_PREFIX, default `thumbnails/`). */
  destPrefix: string;
  /** The bucket the route triggers on (SOURCE_BUCKET), when known. */
  sourceBucket?: string;
  /** The route's filter (SOURCE_PREFIX, SOURCE_SUFFIX). */
  sourceFilter: ObjectFilter;
  /** Largest decoded image accepted, in pixels (THUMBNAIL_MAX_PIXELS, default 40,000,000). */
  maxInputPixels: number;
  /** Largest object read, in bytes (THUMBNAIL_MAX_BYTES, default 52,428,800). */
  maxInputBytes: number;
}

/** The handler's name in messages. */
export const THUMBNAIL_OWNER = "thumbnail handler";

/**
 * Reads and validates the configuration.
 *
 * @param env - the environment, usually `process.env`.
 * @throws ConfigError naming the variable at fault, or refusing a self-triggering configuration.
 */
export function parseThumbnailConfig(env: Env): ThumbnailConfig {
  const read = configReader(env, THUMBNAIL_OWNER);
  const sourceFilter: ObjectFilter = {};
  const prefix = read.filterValue("SOURCE_PREFIX", "prefix");
  const suffix = read.filterValue("SOURCE_SUFFIX", "suffix");
  if (prefix !== undefined) sourceFilter.prefix = prefix;
  if (suffix !== undefined) sourceFilter.suffix = suffix;
  const config: ThumbnailConfig = {
    sizes: read.integerList("THUMBNAIL_SIZES", "128,512", { min: 16, max: 4096 }),
    format: read.choice("THUMBNAIL_FORMAT", THUMBNAIL_FORMATS, "webp"),
    destPrefix: read.filterValue("DEST_PREFIX", "prefix", "thumbnails/") ?? "thumbnails/",
    sourceFilter,
    maxInputPixels: read.integer("THUMBNAIL_MAX_PIXELS", 40_000_000, { min: 1, max: 268_402_689 }),
    maxInputBytes: read.integer("THUMBNAIL_MAX_BYTES", 52_428_800, { min: 1, max: 2_147_483_648 }),
  };
  const destBucket = read.bucket("DEST_BUCKET");
  const sourceBucket = read.bucket("SOURCE_BUCKET");
  if (destBucket !== undefined) config.destBucket = destBucket;
  if (sourceBucket !== undefined) config.sourceBucket = sourceBucket;
  refuseSelfTrigger(config);
  return config;
}

/** The filter every thumbnail key matches: the destination prefix and the format's extension. */
export function outputFilter(config: Pick<ThumbnailConfig, "destPrefix" | "format">): ObjectFilter {
  return { prefix: config.destPrefix, suffix: `.${THUMBNAIL_EXTENSIONS[config.format]}` };
}

/**
 * Throws when thumbnails would land in the source bucket under keys the trigger filter matches.
 *
 * @param config - the configuration to check.
 * @throws ConfigError explaining the loop and the three ways out.
 */
export function refuseSelfTrigger(config: ThumbnailConfig): void {
  const sameBucket = config.destBucket === undefined || config.destBucket === config.sourceBucket;
  const output = outputFilter(config);
  if (!sameBucket || !filtersOverlap(output, config.sourceFilter)) return;
  const where =
    config.destBucket === undefined
      ? "the source bucket (DEST_BUCKET is unset)"
      : `bucket "${config.destBucket}", which is SOURCE_BUCKET`;
  throw new ConfigError(
    `${THUMBNAIL_OWNER}: thumbnails would be written to ${where} as ${describeFilter(output)}, which the trigger ` +
      `(${describeFilter(config.sourceFilter)}) also matches: every thumbnail would invoke the handler again. ` +
      `Set DEST_BUCKET to another bucket, or DEST_PREFIX to a prefix SOURCE_PREFIX does not cover, ` +
      `or SOURCE_SUFFIX to a suffix thumbnails do not end with.`,
  );
}
