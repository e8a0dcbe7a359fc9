/**
 * Object key filters: validation, S3's URL encoding, and S3's overlap rule.
 *
 * Pure: no Pulumi or AWS import, shared by the components, the policy pack and the handlers.
 */

/** Which objects a route applies to. Neither field means the whole bucket. */
export interface ObjectFilter {
  /** Key prefix, written as the key is (e.g. `"raw photos/"`); encoded for S3 automatically. */
  prefix?: string;
  /** Key suffix, written as the key is (e.g. `".jpg"`); encoded for S3 automatically. */
  suffix?: string;
}

/** The longest filter value S3 accepts, in characters, after URL encoding. */
export const MAX_FILTER_VALUE_LENGTH = 1024;

/**
 * Encodes a filter value the way S3 stores it in a notification configuration: each path segment
 * percent-encoded, a space written `+`, the `/` separators kept.
 */
export function encodeFilterValue(value: string): string {
  return value
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, "+"))
    .join("/");
}

/** Decodes a key or filter value as S3 writes it in notifications (`+` is a space). */
export function decodeS3Key(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, " "));
}

/**
 * Validates a filter and returns it normalised (empty strings dropped).
 *
 * @throws Error naming `owner`, the value at fault and the fix.
 */
export function validateObjectFilter(filter: ObjectFilter | undefined, owner: string): ObjectFilter {
  const out: ObjectFilter = {};
  for (const field of ["prefix", "suffix"] as const) {
    const value = filter?.[field];
    if (value === undefined || value === "") continue;
    if (typeof value !== "string") {
      throw new Error(`${owner}: filter ${field} must be a string, got ${typeof value}.`);
    }
    if (value.includes("*")) {
      throw new Error(
        `${owner}: filter ${field} "${value}" contains "*". S3 filters match literal ${field}es and have no wildcards: ` +
          `remove the "*" (a missing ${field} already means "any").`,
      );
    }
    if (field === "prefix" && value.startsWith("/")) {
      throw new Error(
        `${owner}: filter prefix "${value}" starts with "/". S3 keys have no leading slash, so it would never match: ` +
          `write "${value.replace(/^\/+/, "")}".`,
      );
    }
    const encoded = encodeFilterValue(value);
    if (encoded.length > MAX_FILTER_VALUE_LENGTH) {
      throw new Error(
        `${owner}: filter ${field} is ${encoded.length} characters once URL-encoded; S3 accepts at most ${MAX_FILTER_VALUE_LENGTH}.`,
      );
    }
    out[field] = value;
  }
  return out;
}

/** True when two prefixes can match one key: either is empty or one starts with the other. */
export function prefixesOverlap(a: string | undefined, b: string | undefined): boolean {
  const x = a ?? "";
  const y = b ?? "";
  return x === "" || y === "" || x.startsWith(y) || y.startsWith(x);
}

/** True when two suffixes can match one key: either is empty or one ends with the other. */
export function suffixesOverlap(a: string | undefined, b: string | undefined): boolean {
  const x = a ?? "";
  const y = b ?? "";
  return x === "" || y === "" || x.endsWith(y) || y.endsWith(x);
}

/**
 * S3's rule for two notification entries (that share an event type): they overlap, and S3 rejects
 * the configuration, when both their prefixes and their suffixes overlap.
 */
export function filtersOverlap(a: ObjectFilter | undefined, b: ObjectFilter | undefined): boolean {
  return prefixesOverlap(a?.prefix, b?.prefix) && suffixesOverlap(a?.suffix, b?.suffix);
}

/** True when `key` (decoded) is selected by `filter`, as S3 matches it. */
export function filterMatchesKey(filter: ObjectFilter | undefined, key: string): boolean {
  return key.startsWith(filter?.prefix ?? "") && key.endsWith(filter?.suffix ?? "");
}

/** A short human description: `prefix "a/" + suffix ".jpg"`, or `the whole bucket`. */
export function describeFilter(filter: ObjectFilter | undefined): string {
  const parts: string[] = [];
  if (filter?.prefix) parts.push(`prefix "${filter.prefix}"`);
  if (filter?.suffix) parts.push(`suffix "${filter.suffix}"`);
  return parts.length ? parts.join(" + ") : "the whole bucket";
}
