/**
 * A bucket notification on a bucket the stack does not create. `aws.s3.BucketNotification` writes
 * the bucket's whole notification configuration (S3's PutBucketNotificationConfiguration replaces
 * it), so on a bucket that other stacks, tools or the console also configure it wipes their
 * entries on every deploy, and deletes every entry when the stack is destroyed.
 */
import { notifications } from "./links";
import { isUnknown, label, str } from "./records";
import { StackIndex, Violation } from "./stack";
import { stackPolicy } from "./policy";

/** Notifications whose bucket is not a bucket resource of the stack (read with `Bucket.get`, or named by a string). */
export function foreignBucketViolations(stack: StackIndex): Violation[] {
  const out: Violation[] = [];
  for (const { n, bucket } of notifications(stack)) {
    if (bucket.resource || isUnknown(n.props.bucket)) continue;
    const name = bucket.name ?? str(n.props.bucket);
    if (name === undefined) continue;
    out.push({
      urn: n.urn,
      message:
        `${label(n)} configures bucket "${name}", which this stack does not create (it is read with aws.s3.Bucket.get, or ` +
        `named by a string): the resource replaces the bucket's whole notification configuration on every deploy and ` +
        `deletes it on destroy, so the entries that other stacks, tools or the console put on the bucket stop receiving ` +
        `events. If the bucket is shared, add this stack's entries next to theirs instead: s3-event-routes' EventBucket ` +
        `with existing: { bucketName: "${name}" } merges its entries into the bucket's configuration and removes only its own.`,
    });
  }
  return out;
}

/** Checks whether a bucket notification configures a bucket the stack does not own. */
export const s3NotificationForeignBucket = stackPolicy(
  {
    name: "s3-notification-foreign-bucket",
    description:
      "Checks whether an aws.s3.BucketNotification configures a bucket the stack does not create (aws.s3.Bucket.get, or a bucket name), whose whole notification configuration it then replaces.",
    enforcementLevel: "advisory",
  },
  foreignBucketViolations,
);
