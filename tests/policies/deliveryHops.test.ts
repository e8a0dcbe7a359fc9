/** The hops after S3 (SNS → SQS/Lambda, EventBridge → SQS/SNS/Lambda) and notifications on buckets the stack does not own. */
import { strict as assert } from "node:assert";
import { eventDeliveryHopPermitted } from "../../policies/deliveryHops";
import { s3NotificationForeignBucket } from "../../policies/foreignBucket";
import { T } from "../../policies/types";
import { ARN, messages, res, set, title } from "./harness";
import { world } from "./world";

/** The world, plus a fan-out queue subscribed to its topic and a rule targeting a function. */
function hops(fanoutPolicy: object | undefined, permissionPrincipal = "events.amazonaws.com") {
  const w = world();
  const fanout = res(
    T.queue,
    "fanout",
    {},
    { outputs: { name: "fanout-q", arn: ARN.queue("fanout-q"), url: ARN.queueUrl("fanout-q") } },
  );
  const extra = [fanout];
  if (fanoutPolicy)
    extra.push(
      res(
        T.queuePolicy,
        "fanout-policy",
        { queueUrl: ARN.queueUrl("fanout-q"), policy: JSON.stringify(fanoutPolicy) },
        { propertyDependencies: { queueUrl: [fanout] } },
      ),
    );
  const subscription = res(
    T.topicSubscription,
    "fanout-sub",
    { topic: ARN.topic("audit-t"), protocol: "sqs", endpoint: ARN.queue("fanout-q") },
    { propertyDependencies: { topic: [w.topic], endpoint: [fanout] } },
  );
  const rule = res(
    T.eventRule,
    "created",
    { eventPattern: "{}" },
    { outputs: { name: "created", arn: "arn:aws:events:us-east-1:123456789012:rule/created" } },
  );
  const target = res(
    T.eventTarget,
    "created-fn",
    {
      rule: "created",
      arn: ARN.fn("thumbnailer-f"),
      deadLetterConfig: { arn: ARN.queue("jobs-dlq-q") },
      retryPolicy: { maximumRetryAttempts: 3 },
    },
    { propertyDependencies: { rule: [rule], arn: [w.fn] } },
  );
  const permission = res(
    T.permission,
    "created-invoke",
    {
      function: ARN.fn("thumbnailer-f"),
      action: "lambda:InvokeFunction",
      principal: permissionPrincipal,
      sourceArn: "arn:aws:events:us-east-1:123456789012:rule/created",
    },
    { propertyDependencies: { function: [w.fn] } },
  );
  return { w, all: [...w.all(), ...extra, subscription, rule, target, permission] };
}

const snsGrant = (sourceArn: string) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "sns.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: ARN.queue("fanout-q"),
      Condition: { ArnEquals: { "aws:SourceArn": sourceArn } },
    },
  ],
});

describe(title(eventDeliveryHopPermitted), () => {
  const policy = eventDeliveryHopPermitted;

  it("passes a queue that admits sns.amazonaws.com for the topic, and a function that lets the rule invoke it", async () => {
    assert.deepEqual(await messages(policy, hops(snsGrant(ARN.topic("audit-t"))).all), []);
  });

  it("flags a subscribed queue whose policy admits only s3.amazonaws.com", async () => {
    const s3Only = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: "*",
        },
      ],
    };
    assert.deepEqual(await messages(policy, hops(s3Only).all), [
      `aws.sns.TopicSubscription "fanout-sub" delivers from aws.sns.Topic "audit" to aws.sqs.Queue "fanout", but nothing in the ` +
        `stack lets sns.amazonaws.com call sqs:SendMessage on it (its policy admits only s3.amazonaws.com): SNS cannot deliver, ` +
        `and every message published to the topic is lost for this subscription. Add an aws.sqs.QueuePolicy for it with a ` +
        `statement allowing the sns.amazonaws.com service principal sqs:SendMessage, with an ArnEquals condition on ` +
        `aws:SourceArn for the aws.sns.Topic "audit" ARN.`,
    ]);
  });

  it("flags a grant scoped to another topic, and a queue with no policy at all", async () => {
    assert.equal((await messages(policy, hops(snsGrant(ARN.topic("other-t"))).all)).length, 1);
    assert.equal((await messages(policy, hops(undefined).all)).length, 1);
  });

  it("flags a rule target function whose permission names another service", async () => {
    const found = await messages(policy, hops(snsGrant(ARN.topic("audit-t")), "s3.amazonaws.com").all);
    assert.deepEqual(found, [
      `aws.cloudwatch.EventTarget "created-fn" delivers from aws.cloudwatch.EventRule "created" to aws.lambda.Function "thumbnailer", ` +
        `but nothing in the stack lets events.amazonaws.com invoke it (its permissions admit only s3.amazonaws.com): ` +
        `EventBridge cannot deliver, and every event the rule matches fails to reach it and, after EventBridge's retries, is ` +
        `dropped (or parked in the target's dead-letter queue). Add an aws.lambda.Permission for the function with action ` +
        `"lambda:InvokeFunction", principal "events.amazonaws.com" and sourceArn the aws.cloudwatch.EventRule "created" ARN.`,
    ]);
  });
});

describe(title(s3NotificationForeignBucket), () => {
  const policy = s3NotificationForeignBucket;

  it("passes a notification on a bucket of the stack", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags a notification on a bucket named by a string, pointing to the additive path", async () => {
    const w = world();
    set(w.notification, "bucket", "team-uploads");
    w.notification.propertyDependencies.bucket = [];
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.s3.BucketNotification "photos-notification" configures bucket "team-uploads", which this stack does not create (it ` +
        `is read with aws.s3.Bucket.get, or named by a string): the resource replaces the bucket's whole notification ` +
        `configuration on every deploy and deletes it on destroy, so the entries that other stacks, tools or the console put ` +
        `on the bucket stop receiving events. If the bucket is shared, add this stack's entries next to theirs instead: ` +
        `s3-event-routes' EventBucket with existing: { bucketName: "team-uploads" } merges its entries into the bucket's ` +
        `configuration and removes only its own.`,
    ]);
  });
});
