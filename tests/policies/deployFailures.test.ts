import { strict as assert } from "node:assert";
import {
  s3BucketSingleNotification,
  s3NotificationDependsOnDestinationAccess,
  s3NotificationDestinationSameRegion,
  s3NotificationFiltersDisjoint,
  s3NotificationNoFifoDestination,
} from "../../policies/deployFailures";
import { T } from "../../policies/types";
import { ARN, blamed, messages, res, set, title } from "./harness";
import { world } from "./world";

const OVERLAP_FIX =
  `can match the same key, which S3 rejects ("Configuration is ambiguously defined"). Fan out through one SNS topic ` +
  `subscribed by both consumers, deliver one of them through EventBridge (delivery: "eventbridge"), or make their ` +
  `prefixes or suffixes disjoint.`;

describe(title(s3BucketSingleNotification), () => {
  const policy = s3BucketSingleNotification;

  it("passes one notification per bucket", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags a second notification on the same bucket, found through its dependency", async () => {
    const w = world();
    const second = res(
      T.bucketNotification,
      "photos-more",
      { bucket: "photos-b", queues: [{ queueArn: ARN.queue("jobs-q"), events: ["s3:ObjectCreated:Copy"] }] },
      { propertyDependencies: { bucket: [w.bucket] } },
    );
    assert.deepEqual(await messages(policy, [...w.all(), second]), [
      `aws.s3.BucketNotification "photos-more" configures bucket "photos", which aws.s3.BucketNotification ` +
        `"photos-notification" also configures: S3 keeps one notification configuration per bucket, so each of them ` +
        `replaces the other's entries on every deploy. Merge the lambdaFunctions, queues and topics entries of both ` +
        `into a single aws.s3.BucketNotification for the bucket.`,
    ]);
    assert.deepEqual(await blamed(policy, [...w.all(), second]), ["photos-more"]);
  });

  it("flags two notifications naming the same bucket outside the stack", async () => {
    const a = res(T.bucketNotification, "legacy-a", { bucket: "legacy-bucket", eventbridge: true });
    const b = res(T.bucketNotification, "legacy-b", { bucket: "legacy-bucket", eventbridge: true });
    assert.deepEqual(await messages(policy, [a, b]), [
      `aws.s3.BucketNotification "legacy-b" configures bucket "legacy-bucket", which aws.s3.BucketNotification ` +
        `"legacy-a" also configures: S3 keeps one notification configuration per bucket, so each of them replaces the ` +
        `other's entries on every deploy. Merge the lambdaFunctions, queues and topics entries of both into a single ` +
        `aws.s3.BucketNotification for the bucket.`,
    ]);
  });

  it("passes notifications on different buckets", async () => {
    const a = res(T.bucketNotification, "a", { bucket: "bucket-a", eventbridge: true });
    const b = res(T.bucketNotification, "b", { bucket: "bucket-b", eventbridge: true });
    assert.deepEqual(await messages(policy, [a, b]), []);
  });
});

describe(title(s3NotificationFiltersDisjoint), () => {
  const policy = s3NotificationFiltersDisjoint;

  it("passes entries that share no event type or whose filters are disjoint", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags overlapping entries, comparing the decoded filters", async () => {
    const w = world();
    set(w.notification, "lambdaFunctions", [
      {
        id: "thumbs",
        lambdaFunctionArn: ARN.fn("thumbnailer-f"),
        events: ["s3:ObjectCreated:*"],
        filterPrefix: "raw%20photos/",
      },
      {
        lambdaFunctionArn: ARN.fn("worker-f"),
        events: ["s3:ObjectCreated:Put"],
        filterPrefix: "raw+photos/2024/",
        filterSuffix: ".jpg",
      },
    ]);
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.s3.BucketNotification "photos-notification": Entries "thumbs" and "lambdaFunctions[1] ` +
        `(arn:aws:lambda:us-east-1:123456789012:function:worker-f)" on bucket "photos-b" overlap: both receive ` +
        `s3:ObjectCreated:Put and their filters (prefix "raw photos/" vs prefix "raw photos/2024/" + suffix ".jpg") ` +
        OVERLAP_FIX,
    ]);
  });

  it("flags entries of different kinds on the whole bucket", async () => {
    const w = world();
    set(w.notification, "queues", [
      { id: "jobs", queueArn: ARN.queue("jobs-q"), events: ["s3:ObjectCreated:Copy"] },
    ]);
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.s3.BucketNotification "photos-notification": Entries "thumbs" and "jobs" on bucket "photos-b" overlap: ` +
        `both receive s3:ObjectCreated:Copy and their filters (prefix "raw photos/" vs the whole bucket) ` +
        OVERLAP_FIX,
      `aws.s3.BucketNotification "photos-notification": Entries "jobs" and "audit" on bucket "photos-b" overlap: ` +
        `both receive s3:ObjectCreated:Copy and their filters (the whole bucket vs prefix "audit/") ` +
        OVERLAP_FIX,
    ]);
  });

  it("passes the same prefix when the suffixes are disjoint", async () => {
    const w = world();
    set(w.notification, "topics", [
      {
        id: "a",
        topicArn: ARN.topic("audit-t"),
        events: ["s3:ObjectCreated:*"],
        filterPrefix: "raw+photos/",
        filterSuffix: ".png",
      },
    ]);
    set(w.notification, "lambdaFunctions.0.filterSuffix", ".jpg");
    assert.deepEqual(await messages(policy, w.all()), []);
  });
});

describe(title(s3NotificationNoFifoDestination), () => {
  const policy = s3NotificationNoFifoDestination;

  it("passes standard queues and topics", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags a queue declared FIFO", async () => {
    const w = world();
    set(w.queue, "fifoQueue", true);
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.s3.BucketNotification "photos-notification": entry "jobs" targets FIFO queue aws.sqs.Queue "jobs". S3 event ` +
        `notifications cannot deliver to FIFO queues, and S3 rejects the configuration. Target a standard queue, or set ` +
        `eventbridge: true on the notification and reach the FIFO queue through an EventBridge rule whose target sets ` +
        `sqsTarget.messageGroupId.`,
    ]);
  });

  it("flags a topic outside the stack whose ARN ends in .fifo", async () => {
    const w = world();
    set(w.notification, "topics", [{ topicArn: ARN.topic("ledger.fifo"), events: ["s3:ObjectRemoved:*"] }]);
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.s3.BucketNotification "photos-notification": entry "topics[0] (arn:aws:sns:us-east-1:123456789012:ledger.fifo)" ` +
        `targets FIFO topic "arn:aws:sns:us-east-1:123456789012:ledger.fifo". S3 event notifications cannot deliver to ` +
        `FIFO topics, and S3 rejects the configuration. Target a standard topic instead.`,
    ]);
  });
});

describe(title(s3NotificationDestinationSameRegion), () => {
  const policy = s3NotificationDestinationSameRegion;

  it("passes destinations in the bucket's region", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags a queue whose provider is in another region", async () => {
    const w = world();
    const west = res("pulumi:providers:aws", "west", { region: "us-west-2" });
    w.queue.provider = `${west.urn}::west-id`;
    assert.deepEqual(await messages(policy, [west, ...w.all()]), [
      `aws.s3.BucketNotification "photos-notification": entry "jobs" targets aws.sqs.Queue "jobs" in us-west-2, but ` +
        `bucket "photos" is in us-east-1. S3 delivers event notifications only to destinations in the bucket's own ` +
        `region and rejects the configuration. Create the destination in us-east-1 (with the bucket's provider), or set ` +
        `eventbridge: true and forward the events from an EventBridge rule in us-east-1 to an event bus in us-west-2.`,
    ]);
  });

  it("flags a destination outside the stack by its ARN's region", async () => {
    const w = world();
    set(w.bucket, "region", "eu-west-1");
    set(w.notification, "lambdaFunctions", []);
    set(w.notification, "queues", []);
    set(w.notification, "topics", [
      { id: "ops", topicArn: ARN.topic("ops", "eu-west-1"), events: ["s3:ObjectCreated:*"] },
      { id: "us", topicArn: ARN.topic("us-ops"), events: ["s3:ObjectRemoved:*"] },
    ]);
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.s3.BucketNotification "photos-notification": entry "us" targets "arn:aws:sns:us-east-1:123456789012:us-ops" ` +
        `in us-east-1, but bucket "photos" is in eu-west-1. S3 delivers event notifications only to destinations in the ` +
        `bucket's own region and rejects the configuration. Create the destination in eu-west-1 (with the bucket's ` +
        `provider), or set eventbridge: true and forward the events from an EventBridge rule in eu-west-1 to an event ` +
        `bus in us-east-1.`,
    ]);
  });
});

describe(title(s3NotificationDependsOnDestinationAccess), () => {
  const policy = s3NotificationDependsOnDestinationAccess;
  const UNABLE = `"Unable to validate the following destination configurations"`;

  it("passes a notification that depends on each destination's grant", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags a notification that does not depend on the Lambda permission", async () => {
    const w = world();
    w.notification.dependencies = w.notification.dependencies.filter((u) => u !== w.permission.urn);
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.s3.BucketNotification "photos-notification": entry "thumbs" targets aws.lambda.Function "thumbnailer", but ` +
        `the notification does not depend on aws.lambda.Permission "thumbnailer-s3", which lets s3.amazonaws.com invoke ` +
        `it (action "lambda:InvokeFunction"): Pulumi may create the notification first, and S3 then fails with ${UNABLE}. ` +
        `Add dependsOn: [thumbnailer-s3] (the aws.lambda.Permission) to the notification.`,
    ]);
  });

  it("accepts a dependency through another resource", async () => {
    const w = world();
    w.notification.dependencies = w.notification.dependencies.filter((u) => u !== w.permission.urn);
    w.notification.dependencies.push(w.invokeConfig.urn);
    w.invokeConfig.dependencies.push(w.permission.urn);
    assert.deepEqual(await messages(policy, w.all()), []);
  });

  it("flags a function no permission lets S3 invoke (wrong principal, or scoped to another bucket)", async () => {
    const w = world();
    set(w.permission, "principal", "events.amazonaws.com");
    const other = world();
    set(other.permission, "sourceArn", ARN.bucket("someone-else"));
    const expected =
      `aws.s3.BucketNotification "photos-notification": entry "thumbs" targets aws.lambda.Function "thumbnailer", but ` +
      `nothing in the stack lets s3.amazonaws.com invoke it (action "lambda:InvokeFunction"). S3 test-publishes to each ` +
      `destination when the configuration is saved and fails with ${UNABLE}. Add an aws.lambda.Permission (action ` +
      `"lambda:InvokeFunction", principal "s3.amazonaws.com", sourceArn the bucket ARN, sourceAccount the bucket ` +
      `owner's account) and list it in the notification's dependsOn.`;
    assert.deepEqual(await messages(policy, w.all()), [expected]);
    assert.deepEqual(await messages(policy, other.all()), [expected]);
  });

  it("flags a queue without a queue policy for S3, and accepts the queue's own policy", async () => {
    const w = world();
    const records = w.all().filter((r) => r !== w.queuePolicy);
    w.notification.dependencies = w.notification.dependencies.filter((u) => u !== w.queuePolicy.urn);
    assert.deepEqual(await messages(policy, records), [
      `aws.s3.BucketNotification "photos-notification": entry "jobs" targets aws.sqs.Queue "jobs", but nothing in the ` +
        `stack lets s3.amazonaws.com call sqs:SendMessage on it. S3 test-publishes to each destination when the ` +
        `configuration is saved and fails with ${UNABLE}. Add an aws.sqs.QueuePolicy allowing s3.amazonaws.com ` +
        `sqs:SendMessage (with aws:SourceArn and aws:SourceAccount conditions) and list it in the notification's dependsOn.`,
    ]);
    set(w.queue, "policy", w.queuePolicy.inputs.policy);
    assert.deepEqual(await messages(policy, records), []);
  });

  it("flags a notification that does not depend on the topic policy", async () => {
    const w = world();
    w.notification.dependencies = w.notification.dependencies.filter((u) => u !== w.topicPolicy.urn);
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.s3.BucketNotification "photos-notification": entry "audit" targets aws.sns.Topic "audit", but the ` +
        `notification does not depend on aws.sns.TopicPolicy "audit-s3", which lets s3.amazonaws.com call sns:Publish on ` +
        `it: Pulumi may create the notification first, and S3 then fails with ${UNABLE}. Add dependsOn: [audit-s3] (the ` +
        `aws.sns.TopicPolicy) to the notification.`,
    ]);
  });

  it("says nothing of a function outside the stack that no permission in the stack names", async () => {
    const w = world();
    set(w.notification, "lambdaFunctions", [
      { lambdaFunctionArn: ARN.fn("shared-fn"), events: ["s3:ObjectCreated:*"] },
    ]);
    assert.deepEqual(await messages(policy, w.all()), []);
  });
});
