import { strict as assert } from "node:assert";
import { run, testCode } from "./harness";
import { ofType, one, RecordedResource } from "../../components/testing/mockEngine";
import { EventBucket, LambdaTarget, QueueTarget, TopicTarget } from "../../components";
import { SharedBucketNotification } from "../../components/sharedNotification";

const NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";
const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
const ACCOUNT = "123456789012";
const NAMESPACE = "pulumi:organization:s3-event-routes:test";

const depNames = (r: RecordedResource) => r.dependencies.map((u) => u.split("::").pop());

/** The same three routes, on a bucket created here or on an adopted one. */
function program(existing: boolean): () => EventBucket {
  return () => {
    const thumbs = new LambdaTarget("thumbs", { code: testCode });
    const jobs = new QueueTarget("jobs");
    const alerts = new TopicTarget("alerts");
    return new EventBucket("media", {
      ...(existing ? { existing: { bucketName: "team-media" } } : {}),
      routes: [
        {
          name: "thumbs",
          events: ["created"],
          filter: { prefix: "raw photos/", suffix: ".jpg" },
          target: thumbs,
        },
        { name: "jobs", events: ["removed"], filter: { prefix: "jobs/" }, target: jobs },
        { name: "alerts", events: ["acl"], target: alerts },
      ],
    });
  };
}

describe("EventBucket: owned or shared notification", () => {
  it("gives a bucket it creates one aws.s3.BucketNotification and no dynamic resource", async () => {
    let bucket: EventBucket | undefined;
    const { resources } = await run(() => (bucket = program(false)()));
    assert.equal(bucket?.notificationMode, "owned");
    assert.ok(!(bucket?.notification instanceof SharedBucketNotification));
    assert.equal(ofType(resources, DYNAMIC).length, 0);
    const n = one(resources, NOTIFICATION, "media-notification");
    assert.deepEqual(
      n.inputs.lambdaFunctions,
      [
        {
          id: "thumbs",
          events: ["s3:ObjectCreated:*"],
          filterPrefix: "raw+photos/",
          filterSuffix: ".jpg",
          lambdaFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:thumbs-mock`,
        },
      ],
      "owned buckets keep plain route names as Ids",
    );
  });

  describe("an adopted bucket", () => {
    let bucket: EventBucket | undefined;
    let resources: RecordedResource[];

    before(async () => {
      ({ resources } = await run(() => (bucket = program(true)())));
    });

    it("gets the shared notification and no aws.s3.BucketNotification", () => {
      assert.equal(bucket?.notificationMode, "shared");
      assert.ok(bucket?.notification instanceof SharedBucketNotification);
      assert.equal(ofType(resources, NOTIFICATION).length, 0);
      assert.equal(ofType(resources, DYNAMIC).length, 1);
      assert.equal(ofType(resources, "aws:s3/bucket:Bucket").length, 0);
    });

    it("passes exact entries in aws.s3.BucketNotification's shape, with namespaced Ids and the region", () => {
      const n = one(resources, DYNAMIC, "media-notification");
      const { __provider, ...inputs } = n.inputs;
      assert.equal(typeof __provider, "string", "the serialized provider");
      assert.deepEqual(inputs, {
        bucket: "team-media",
        region: "us-east-1",
        namespace: NAMESPACE,
        eventbridge: false,
        lambdaFunctions: [
          {
            id: `${NAMESPACE}:thumbs`,
            events: ["s3:ObjectCreated:*"],
            filterPrefix: "raw+photos/",
            filterSuffix: ".jpg",
            lambdaFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:thumbs-mock`,
          },
        ],
        queues: [
          {
            id: `${NAMESPACE}:jobs`,
            events: ["s3:ObjectRemoved:*"],
            filterPrefix: "jobs/",
            queueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs-mock`,
          },
        ],
        topics: [
          {
            id: `${NAMESPACE}:alerts`,
            events: ["s3:ObjectAcl:Put"],
            topicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts-mock`,
          },
        ],
      });
    });

    it("depends on every permission and policy S3 validates on Put, as the owned notification does", () => {
      const n = one(resources, DYNAMIC, "media-notification");
      for (const dep of ["thumbs-from-media", "jobs-policy", "alerts-policy"]) {
        assert.ok(depNames(n).includes(dep), `should depend on ${dep}; got ${depNames(n).join(", ")}`);
      }
      const component = one(resources, "s3-event-routes:index:EventBucket", "media");
      assert.equal(n.parent, component.urn);
    });

    it("scopes the destinations' policies to the adopted bucket and the account", () => {
      const policy = JSON.parse(
        one(resources, "aws:sqs/queuePolicy:QueuePolicy", "jobs-policy").inputs.policy as string,
      ) as { Statement: { Condition?: unknown }[] };
      assert.deepEqual(policy.Statement[1].Condition, {
        ArnLike: { "aws:SourceArn": "arn:aws:s3:::team-media" },
        StringEquals: { "aws:SourceAccount": ACCOUNT },
      });
    });
  });
});
