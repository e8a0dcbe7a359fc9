/**
 * Adopted queues and topics: by default this stack adds only its own statements to their access
 * policy (a SharedAccessPolicy); replacing the whole policy is an explicit, loudly named opt-in.
 */
import { strict as assert } from "node:assert";
import { run, runError } from "./harness";
import { ofType, one, RecordedResource } from "../../components/testing/mockEngine";
import { EventBucket, QueueTarget, TopicTarget } from "../../components";
import { ownershipSidPrefix } from "../../model/policyMerge";

const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";
const ACCOUNT = "123456789012";
const NAMESPACE = "pulumi:organization:s3-event-routes:test";
const QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:shared-jobs";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/shared-jobs";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:shared-alerts";

const inputsOf = (r: RecordedResource) => {
  const { __provider, ...inputs } = r.inputs;
  assert.equal(typeof __provider, "string", "the serialized provider");
  return inputs;
};
const s3Statement = (sid: string, action: string, resource: string) => ({
  Sid: sid,
  Effect: "Allow",
  Principal: { Service: "s3.amazonaws.com" },
  Action: action,
  Resource: resource,
  Condition: {
    ArnLike: { "aws:SourceArn": "arn:aws:s3:::uploads-bucket" },
    StringEquals: { "aws:SourceAccount": ACCOUNT },
  },
});

function program(queueExisting: object = {}, topicExisting: object = {}) {
  return () => {
    const jobs = new QueueTarget("jobs", { existing: { arn: QUEUE_ARN, url: QUEUE_URL, ...queueExisting } });
    const alerts = new TopicTarget("alerts", { existing: { arn: TOPIC_ARN, ...topicExisting } });
    new EventBucket("uploads", {
      bucketName: "uploads-bucket",
      routes: [
        { name: "jobs", events: ["created"], filter: { prefix: "jobs/" }, target: jobs },
        { name: "alerts", events: ["removed"], target: alerts },
      ],
    });
  };
}

describe("adopted queues and topics: never clobber an access policy the stack did not create", () => {
  it("adds only this stack's statements by default: no QueuePolicy or TopicPolicy replaces the whole policy", async () => {
    // Act
    const { resources } = await run(program());
    // Assess: no whole-policy resource at all.
    assert.deepEqual(ofType(resources, QUEUE_POLICY), []);
    assert.deepEqual(ofType(resources, TOPIC_POLICY), []);
    // The exact inputs the shared policies' provider receives: only this stack's statements (no TLS Deny
    // added to a policy others rely on).
    const queuePrefix = ownershipSidPrefix(NAMESPACE, "jobs");
    const topicPrefix = ownershipSidPrefix(NAMESPACE, "alerts");
    assert.deepEqual(inputsOf(one(resources, DYNAMIC, "jobs-policy")), {
      kind: "sqs",
      arn: QUEUE_ARN,
      url: QUEUE_URL,
      sidPrefix: queuePrefix,
      statements: [s3Statement(`${queuePrefix}S3`, "sqs:SendMessage", QUEUE_ARN)],
    });
    assert.deepEqual(inputsOf(one(resources, DYNAMIC, "alerts-policy")), {
      kind: "sns",
      arn: TOPIC_ARN,
      url: "",
      sidPrefix: topicPrefix,
      statements: [s3Statement(`${topicPrefix}S3`, "sns:Publish", TOPIC_ARN)],
    });
    // S3 validates destinations on Put: the notification waits for both statements.
    const notification = one(resources, NOTIFICATION, "uploads-notification");
    const deps = notification.dependencies.map((u) => u.split("::").pop());
    assert.ok(deps.includes("jobs-policy") && deps.includes("alerts-policy"), deps.join(", "));
  });

  it('replaces the whole policy only when asked by name: accessPolicy: "replace-entire-policy"', async () => {
    const { resources } = await run(
      program({ accessPolicy: "replace-entire-policy" }, { accessPolicy: "replace-entire-policy" }),
    );
    assert.equal(ofType(resources, DYNAMIC).filter((r) => r.name.endsWith("-policy")).length, 0);
    const queuePolicy = one(resources, QUEUE_POLICY, "jobs-policy");
    assert.equal(queuePolicy.inputs.queueUrl, QUEUE_URL);
    const sids = (
      JSON.parse(queuePolicy.inputs.policy as string) as { Statement: { Sid: string }[] }
    ).Statement.map((s) => s.Sid);
    assert.deepEqual(sids, ["DenyInsecureTransport", "AllowS3"]);
    assert.equal(one(resources, TOPIC_POLICY, "alerts-policy").inputs.arn, TOPIC_ARN);
  });

  it('writes nothing with accessPolicy: "managed-elsewhere" (or the deprecated managePolicy: false) and says what to add', async () => {
    let statements: unknown;
    const { resources } = await run(() => {
      const jobs = new QueueTarget("jobs", {
        existing: { arn: QUEUE_ARN, url: QUEUE_URL, accessPolicy: "managed-elsewhere" },
      });
      const alerts = new TopicTarget("alerts", { existing: { arn: TOPIC_ARN, managePolicy: false } });
      new EventBucket("uploads", {
        bucketName: "uploads-bucket",
        routes: [
          { name: "jobs", events: ["created"], target: jobs },
          { name: "alerts", events: ["removed"], target: alerts },
        ],
      });
      jobs.requiredStatements!.apply((s) => (statements = s));
    });
    assert.deepEqual(ofType(resources, QUEUE_POLICY), []);
    assert.deepEqual(ofType(resources, TOPIC_POLICY), []);
    assert.equal(ofType(resources, DYNAMIC).filter((r) => r.name.endsWith("-policy")).length, 0);
    const prefix = ownershipSidPrefix(NAMESPACE, "jobs");
    assert.deepEqual(statements, [s3Statement(`${prefix}S3`, "sqs:SendMessage", QUEUE_ARN)]);
  });

  it("keeps the deprecated managePolicy: true safe: it adds statements, it does not replace", async () => {
    const { resources } = await run(program({ managePolicy: true }));
    assert.deepEqual(ofType(resources, QUEUE_POLICY), []);
    assert.equal(one(resources, DYNAMIC, "jobs-policy").inputs.kind, "sqs");
  });

  it("refuses an unknown accessPolicy and accessPolicy with managePolicy, naming the component and field", async () => {
    assert.equal(
      await runError(
        () =>
          new QueueTarget("jobs", {
            existing: { arn: QUEUE_ARN, url: QUEUE_URL, accessPolicy: "replace" as never },
          }),
      ),
      'QueueTarget "jobs": "existing.accessPolicy" is "replace"; use "add-statements" (the default: add this stack\'s ' +
        'statements next to everyone else\'s), "replace-entire-policy" (delete every other statement) or ' +
        '"managed-elsewhere" (write nothing).',
    );
    assert.equal(
      await runError(
        () =>
          new TopicTarget("alerts", {
            existing: { arn: TOPIC_ARN, accessPolicy: "add-statements", managePolicy: false },
          }),
      ),
      'TopicTarget "alerts": give "existing.accessPolicy" or the deprecated "existing.managePolicy", not both.',
    );
  });
});
