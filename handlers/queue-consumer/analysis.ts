/**
 * The queue consumer's default per-object work: a structured analysis summary of the event, from
 * the event alone (no S3 call).
 */
import type { S3ObjectEvent } from "../shared/events";
import type { StructuredLogger } from "../shared/logging";
import { ObjectOutcome, processed } from "../shared/outcome";

/** Broad kinds of object, by extension. */
export type ObjectCategory = "image" | "video" | "audio" | "document" | "archive" | "folder marker" | "other";

const CATEGORIES: readonly [ObjectCategory, RegExp][] = [
  ["image", /^(jpe?g|png|webp|gif|tiff?|avif|heic|heif|bmp|svg)$/],
  ["video", /^(mp4|mov|mkv|webm|avi|m4v)$/],
  ["audio", /^(mp3|wav|flac|aac|ogg|m4a)$/],
  ["document", /^(pdf|txt|md|csv|json|xml|html?|docx?|xlsx?|pptx?|odt|rtf)$/],
  ["archive", /^(zip|tar|gz|tgz|bz2|xz|7z|zst)$/],
];

/** The summary logged for one object event. */
export interface ObjectAnalysis {
  /** `s3://bucket/key`. */
  uri: string;
  /** The event name. */
  eventName: string;
  /** The envelope. */
  source: string;
  /** Size in bytes, when the event says. */
  size?: number;
  /** Lower-case extension without the dot, or empty. */
  extension: string;
  /** Broad kind. */
  category: ObjectCategory;
  /** The key's first path segment (`photos/` for `photos/2025/a.jpg`), or empty at the root. */
  topLevelPrefix: string;
  /** Path depth: the number of `/` in the key. */
  depth: number;
}

/**
 * Analyses one object event.
 *
 * @param event - the normalized event.
 */
export function analyseObjectEvent(event: S3ObjectEvent): ObjectAnalysis {
  const name = event.key.slice(event.key.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  const marker = event.key.endsWith("/") && (event.size ?? 0) === 0;
  const category: ObjectCategory = marker
    ? "folder marker"
    : (CATEGORIES.find(([, pattern]) => pattern.test(extension))?.[0] ?? "other");
  const slash = event.key.indexOf("/");
  const analysis: ObjectAnalysis = {
    uri: `s3://${event.bucket}/${event.key}`,
    eventName: event.eventName,
    source: event.source,
    extension,
    category,
    topLevelPrefix: slash >= 0 ? event.key.slice(0, slash + 1) : "",
    depth: event.key.split("/").length - 1,
  };
  if (event.size !== undefined) analysis.size = event.size;
  return analysis;
}

/**
 * The default per-object function: logs the analysis summary and reports it processed.
 *
 * @param logger - where the summary goes.
 */
export function logAnalysis(logger: StructuredLogger): (event: S3ObjectEvent) => Promise<ObjectOutcome> {
  return async (event) => {
    const analysis = analyseObjectEvent(event);
    logger.info("queue-consumer: object event analysed", { ...analysis });
    return processed(`analysed: ${analysis.category}`);
  };
}
