/**
 * Links the stack policies follow from a bucket notification: to its bucket and to the resources its
 * entries deliver to.
 */
import { EntryKind, NotificationEntry } from "./notifications";
import { isUnknown, label, ResourceRecord, str } from "./records";
import { StackIndex } from "./stack";
import { T } from "./types";

/** The bucket a notification configures, as far as it can be known. */
export interface NotifiedBucket {
  /** The bucket resource, when it is in the stack. */
  resource?: ResourceRecord;
  /** The bucket's name, when known. */
  name?: string;
  /** The bucket's ARN, when known. */
  arn?: string;
  /** How messages name it: `"photos"` (logical name when in the stack, else the bucket name). */
  label: string;
}

/** The bucket that notification `n` configures. */
export function notifiedBucket(stack: StackIndex, n: ResourceRecord): NotifiedBucket {
  const resource = stack.bucketOf(n);
  const name = str(resource?.props.bucket) ?? str(n.props.bucket);
  const arn = str(resource?.props.arn) ?? (name !== undefined ? `arn:aws:s3:::${name}` : undefined);
  const shown = resource
    ? resource.name
    : (name ?? (isUnknown(n.props.bucket) ? "(not known yet)" : "(none)"));
  return { resource, name, arn, label: `"${shown}"` };
}

/** The resource types each entry kind delivers to. */
export const DESTINATION_TYPES: Record<EntryKind, readonly string[]> = {
  lambda: [T.function],
  queue: [T.queue],
  topic: [T.topic],
};

/** The in-stack resources an entry of notification `n` delivers to (none when it targets something outside). */
export function entryDestinations(
  stack: StackIndex,
  n: ResourceRecord,
  e: NotificationEntry,
): ResourceRecord[] {
  return stack.resolve(n, e.list, e.arn, DESTINATION_TYPES[e.kind]);
}

/** How messages name an entry's destination: the resource, else its ARN. */
export function destinationLabel(dest: ResourceRecord | undefined, e: NotificationEntry): string {
  if (dest) return label(dest);
  return typeof e.arn === "string" ? `"${e.arn}"` : "(not known yet)";
}

/** Every notification of the stack with its bucket. */
export function notifications(stack: StackIndex): { n: ResourceRecord; bucket: NotifiedBucket }[] {
  return stack.ofType(T.bucketNotification).map((n) => ({ n, bucket: notifiedBucket(stack, n) }));
}
