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
 * Encodes a key, or a filter value, the way S3 writes object keys in event notifications:
 * `application/x-www-form-urlencoded` (UTF-8 bytes percent-encoded with upper-case hex, a space
 * written `+`; only `A-Z a-z 0-9 . - _ *` kept as they are), except that the `/` separators are kept.
 * So `!` `'` `(` `)` `~` become `%21` `%27` `%28` `%29` `%7E`, which `encodeURIComponent` leaves as
 * they are.
 *
 * S3 matches a notification's prefix and suffix, exactly as written in the configuration, against
 * the key in this encoding: a filter value must be written encoded the same way, or it never matches.
 * Evidence (see README, "Filter values and keys"):
 * - S3 User Guide, "Configuring event notifications using object key name filtering"
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html): "If your
 *   prefix or suffix contains a space, you must replace it with the "+" character. If you use any other
 *   special characters in the value of the prefix or suffix, you must enter them in URL-encoded
 *   (percent-encoded) format."
 * - AWS Knowledge Center, "Why doesn't my Amazon S3 event notification trigger my Lambda function?"
 *   (https://aws.amazon.com/premiumsupport/knowledge-center/lambda-configure-s3-event-notification/):
 *   "to define the value of a prefix as "test=abc/", you would enter "test%3Dabc/" for its value."
 * - aws/aws-cdk#28012: the prefix `business_config_snapshot/schemaVersion=1/` never fired; written
 *   `schemaVersion%3D1/` it did — S3 does not decode the filter, it compares it with the encoded key.
 * - S3 User Guide, "Event message structure": "The object key name value is URL encoded. For example,
 *   "red flower.jpg" becomes "red+flower.jpg" (Amazon S3 returns "application/x-www-form-urlencoded" as the
 *   content type in the response)." minio/minio#11665: in AWS's events "the slash character is not
 *   encoded, while otherwise using query-style encoding (eg space -> +)". LocalStack's AWS-validated
 *   snapshot (tests/aws/services/s3/test_s3_notifications_sqs.py, test_key_encoding): key `a@b` arrives as
 *   `a%40b`. Keys with parentheses arrive encoded (boto3#2834, michaelbrewer/aws-lambda-events#2: the
 *   raw event key of `folder)1/...` or `(1) copy` is not the object's key).
 */
export function encodeFilterValue(value: string): string {
  if (hasLoneSurrogate(value)) {
    throw new Error(
      `${JSON.stringify(value)} holds a lone UTF-16 surrogate, which no S3 key (UTF-8) can hold: fix the string's characters.`,
    );
  }
  return value
    .split("/")
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, "+"),
    )
    .join("/");
}

/**
 * Decodes a key or filter value as S3 writes it in notifications (`+` is a space).
 *
 * @throws URIError for a value that is not valid URL encoding (callers name the value at fault).
 */
export function decodeS3Key(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, " "));
}

/** True when `value` holds a lone UTF-16 surrogate, which no UTF-8 key (or URL encoding) can hold. */
function hasLoneSurrogate(value: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
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
    if (hasLoneSurrogate(value)) {
      throw new Error(
        `${owner}: filter ${field} ${JSON.stringify(value)} holds a lone UTF-16 surrogate, which no S3 key (UTF-8) can hold, ` +
          `so it would never match: fix the string's characters.`,
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

/**
 * True when two prefixes can match one key: either is empty or one starts with the other — compared
 * as S3 compares them, URL-encoded ({@link encodeFilterValue}).
 */
export function prefixesOverlap(a: string | undefined, b: string | undefined): boolean {
  const x = encodeFilterValue(a ?? "");
  const y = encodeFilterValue(b ?? "");
  return x === "" || y === "" || x.startsWith(y) || y.startsWith(x);
}

/**
 * True when two suffixes can match one key: either is empty or one ends with the other — compared
 * URL-encoded, as S3 compares them (so `"2B"` and `"+"`, written `%2B`, overlap).
 */
export function suffixesOverlap(a: string | undefined, b: string | undefined): boolean {
  const x = encodeFilterValue(a ?? "");
  const y = encodeFilterValue(b ?? "");
  return x === "" || y === "" || x.endsWith(y) || y.endsWith(x);
}

/**
 * S3's rule for two notification entries (that share an event type): they overlap, and S3 rejects
 * the configuration, when both their prefixes and their suffixes overlap.
 */
export function filtersOverlap(a: ObjectFilter | undefined, b: ObjectFilter | undefined): boolean {
  return prefixesOverlap(a?.prefix, b?.prefix) && suffixesOverlap(a?.suffix, b?.suffix);
}

/**
 * True when `key` (decoded) is selected by a native notification's `filter`, as S3 matches it: the
 * encoded key starts with the encoded prefix and ends with the encoded suffix.
 */
export function filterMatchesKey(filter: ObjectFilter | undefined, key: string): boolean {
  const encoded = encodeFilterValue(key);
  return (
    encoded.startsWith(encodeFilterValue(filter?.prefix ?? "")) &&
    encoded.endsWith(encodeFilterValue(filter?.suffix ?? ""))
  );
}

/** A short human description: `prefix "a/" + suffix ".jpg"`, or `the whole bucket`. */
export function describeFilter(filter: ObjectFilter | undefined): string {
  const parts: string[] = [];
  if (filter?.prefix) parts.push(`prefix "${filter.prefix}"`);
  if (filter?.suffix) parts.push(`suffix "${filter.suffix}"`);
  return parts.length ? parts.join(" + ") : "the whole bucket";
}
