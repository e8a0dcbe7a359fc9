/**
 * EventBridge S3 detail-types mapped to the event names native notifications carry, so that one
 * handler treats `"Object Created"` + `reason: "PutObject"` and `ObjectCreated:Put` alike.
 *
 * Source: "EventBridge event message structure" and "Using EventBridge" (S3 user guide): the
 * `reason` of Object Created is the API used (PutObject, POST Object, CopyObject,
 * CompleteMultipartUpload); Object Deleted carries `reason` DeleteObject or Lifecycle Expiration and
 * `deletion-type` Permanently Deleted or Delete Marker Created.
 *
 * Pure: no AWS import.
 */

/** The detail-types S3 sends to EventBridge for objects. */
export const S3_EVENTBRIDGE_DETAIL_TYPES = [
  "Object Created",
  "Object Deleted",
  "Object Restore Initiated",
  "Object Restore Completed",
  "Object Restore Expired",
  "Object Tags Added",
  "Object Tags Deleted",
  "Object ACL Updated",
  "Object Storage Class Changed",
  "Object Access Tier Changed",
] as const;

const CREATED_REASONS: Readonly<Record<string, string>> = {
  PutObject: "ObjectCreated:Put",
  "POST Object": "ObjectCreated:Post",
  CopyObject: "ObjectCreated:Copy",
  CompleteMultipartUpload: "ObjectCreated:CompleteMultipartUpload",
};

const DELETION_TYPES: Readonly<Record<string, string>> = {
  "Permanently Deleted": "Delete",
  "Delete Marker Created": "DeleteMarkerCreated",
};

const DELETED_REASONS: Readonly<Record<string, string>> = {
  DeleteObject: "ObjectRemoved",
  "Lifecycle Expiration": "LifecycleExpiration",
};

const FIXED: Readonly<Record<string, string>> = {
  "Object Restore Initiated": "ObjectRestore:Post",
  "Object Restore Completed": "ObjectRestore:Completed",
  "Object Restore Expired": "ObjectRestore:Delete",
  "Object Tags Added": "ObjectTagging:Put",
  "Object Tags Deleted": "ObjectTagging:Delete",
  "Object ACL Updated": "ObjectAcl:Put",
  "Object Storage Class Changed": "LifecycleTransition",
  "Object Access Tier Changed": "IntelligentTiering",
};

const quoted = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(", ");

/**
 * `table[name]` when `name` is one of the table's own keys; undefined otherwise, so that a
 * `reason` of `"constructor"` or `"toString"` finds nothing instead of `Object.prototype`'s function.
 */
const lookup = (table: Readonly<Record<string, string>>, name: string | undefined): string | undefined =>
  name !== undefined && Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;

/**
 * The native event name (without `s3:`) of an EventBridge S3 event, e.g. `ObjectCreated:Copy`.
 *
 * @param detailType - the event's `detail-type`, e.g. `"Object Created"`.
 * @param reason - `detail.reason`, when present.
 * @param deletionType - `detail.deletion-type`, when present.
 * @returns the name, or an error message (a string starting with `detail-type`) naming the field at fault.
 */
export function eventNameFromEventBridge(
  detailType: string,
  reason: string | undefined,
  deletionType: string | undefined,
): { eventName: string } | { error: string } {
  if (detailType === "Object Created") {
    const name = lookup(CREATED_REASONS, reason);
    return name
      ? { eventName: name }
      : {
          error:
            `detail-type "Object Created" with detail.reason ${JSON.stringify(reason)}; ` +
            `expected one of ${quoted(Object.keys(CREATED_REASONS))}`,
        };
  }
  if (detailType === "Object Deleted") {
    const family = lookup(DELETED_REASONS, reason);
    if (!family) {
      return {
        error:
          `detail-type "Object Deleted" with detail.reason ${JSON.stringify(reason)}; ` +
          `expected one of ${quoted(Object.keys(DELETED_REASONS))}`,
      };
    }
    const kind = lookup(DELETION_TYPES, deletionType);
    if (!kind) {
      return {
        error:
          `detail-type "Object Deleted" with detail.deletion-type ${JSON.stringify(deletionType)}; ` +
          `expected one of ${quoted(Object.keys(DELETION_TYPES))}`,
      };
    }
    return { eventName: `${family}:${kind}` };
  }
  const fixed = lookup(FIXED, detailType);
  if (fixed) return { eventName: fixed };
  return {
    error:
      `detail-type ${JSON.stringify(detailType)}; expected one of the S3 object detail-types ` +
      `${quoted(S3_EVENTBRIDGE_DETAIL_TYPES)} (bucket-level "AWS API Call via CloudTrail" events are not object notifications)`,
  };
}
