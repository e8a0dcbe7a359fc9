/**
 * A plain @pulumi/aws program, as many stacks are written before they use s3-event-routes: a bucket
 * notifies a queue directly. It misses the queue policy that lets S3 send, and the queue has no
 * dead-letter queue: `s3-event-routes check` says both before `pulumi up` does (or never does).
 */
import * as aws from "@pulumi/aws";

const bucket = new aws.s3.Bucket("legacy-uploads");
const queue = new aws.sqs.Queue("legacy-events", { visibilityTimeoutSeconds: 60 });

new aws.s3.BucketNotification("legacy-notification", {
  bucket: bucket.id,
  queues: [{ queueArn: queue.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "incoming/" }],
});
