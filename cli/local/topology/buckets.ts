/**
 * Buckets and their notification configurations: every bucket's physical name, where each native
 * entry sends its events, and which buckets send every event to EventBridge.
 */
import { list, Recorded, str } from "./recorded";

/** What the buckets' notification configurations say. */
export interface LocalNotifications {
  /** `<bucket name>/<entry Id>` → destination ARN, for native notification entries. */
  nativeDestinations: Map<string, string>;
  /** Buckets whose notification sends every event to EventBridge. */
  eventBridgeBuckets: Set<string>;
}

/** Every bucket's physical name, once. */
export function readBuckets(recorded: Recorded): string[] {
  return recorded
    .of("aws:s3/bucket:Bucket")
    .map((r) => str(r.state.bucket) ?? r.id ?? r.name)
    .filter((b, i, all) => all.indexOf(b) === i);
}

/** The native entries and EventBridge switches of every `BucketNotification`. */
export function readNotifications(recorded: Recorded): LocalNotifications {
  const nativeDestinations = new Map<string, string>();
  const eventBridgeBuckets = new Set<string>();
  for (const n of recorded.of("aws:s3/bucketNotification:BucketNotification")) {
    const bucket = str(n.inputs.bucket) ?? n.name;
    if (n.inputs.eventbridge === true) eventBridgeBuckets.add(bucket);
    const kinds = [
      ["lambdaFunctions", "lambdaFunctionArn"],
      ["queues", "queueArn"],
      ["topics", "topicArn"],
    ] as const;
    for (const [field, arnField] of kinds) {
      for (const entry of list(n.inputs[field])) {
        const id = str(entry.id);
        const arn = str(entry[arnField]);
        if (id && arn) nativeDestinations.set(`${bucket}/${id}`, arn);
      }
    }
  }
  return { nativeDestinations, eventBridgeBuckets };
}
