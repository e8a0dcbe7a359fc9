/**
 * The shared access policy provider against in-memory SQS and SNS (aws-sdk-client-mock): the exact
 * requests that reach AWS, foreign statements kept exactly as read, conflicts and drift at preview.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { mockClient } from "aws-sdk-client-mock";
import {
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SetQueueAttributesCommandInput,
  SQSClient,
} from "@aws-sdk/client-sqs";
import {
  GetTopicAttributesCommand,
  SetTopicAttributesCommand,
  SetTopicAttributesCommandInput,
  SNSClient,
} from "@aws-sdk/client-sns";
import { SharedPolicyInputs, sharedPolicyProvider } from "../../components/sharedPolicy";
import { ownershipSidPrefix } from "../../model/policyMerge";

const QUEUE_ARN = "arn:aws:sqs:eu-west-1:111122223333:shared-jobs";
const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/111122223333/shared-jobs";
const TOPIC_ARN = "arn:aws:sns:eu-west-1:111122223333:shared-alerts";
const PREFIX = ownershipSidPrefix("pulumi:acme:photos:prod", "jobs");

/** Another team's producer, as SQS stores it (key order as written by that team). */
const BILLING = {
  Sid: "BillingProducer",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::444455556666:role/billing" },
  Action: "SQS:SendMessage",
  Resource: QUEUE_ARN,
};
const ours = (resource: string, action: string, sid = `${PREFIX}S3`) => ({
  Sid: sid,
  Effect: "Allow",
  Principal: { Service: "s3.amazonaws.com" },
  Action: action,
  Resource: resource,
  Condition: {
    ArnLike: { "aws:SourceArn": "arn:aws:s3:::team-media" },
    StringEquals: { "aws:SourceAccount": "111122223333" },
  },
});

/** An SQS queue (or SNS topic) whose Policy attribute lives in memory; every Set is recorded. */
function standIn(initial: string | undefined) {
  const store = {
    policy: initial,
    exists: true,
    gets: 0,
    sets: [] as unknown[],
    afterGet: undefined as (() => void) | undefined,
  };
  const sqs = mockClient(SQSClient);
  sqs.on(GetQueueAttributesCommand).callsFake(() => {
    store.gets++;
    if (!store.exists)
      throw Object.assign(new Error("The specified queue does not exist."), { name: "QueueDoesNotExist" });
    const answer = { Attributes: store.policy === undefined ? {} : { Policy: store.policy } };
    store.afterGet?.();
    return answer;
  });
  sqs.on(SetQueueAttributesCommand).callsFake((input: SetQueueAttributesCommandInput) => {
    store.sets.push(input);
    store.policy = input.Attributes?.Policy || undefined;
    return {};
  });
  const sns = mockClient(SNSClient);
  sns.on(GetTopicAttributesCommand).callsFake(() => {
    store.gets++;
    if (!store.exists) throw Object.assign(new Error("Topic does not exist"), { name: "NotFoundException" });
    return { Attributes: store.policy === undefined ? {} : { Policy: store.policy } };
  });
  sns.on(SetTopicAttributesCommand).callsFake((input: SetTopicAttributesCommandInput) => {
    store.sets.push(input);
    store.policy = input.AttributeValue || undefined;
    return {};
  });
  return {
    store,
    restore() {
      sqs.restore();
      sns.restore();
    },
  };
}

const provider = sharedPolicyProvider({ baseDelayMs: 1 });
const queueInputs = (statements = [ours(QUEUE_ARN, "sqs:SendMessage")]): SharedPolicyInputs => ({
  kind: "sqs",
  arn: QUEUE_ARN,
  url: QUEUE_URL,
  sidPrefix: PREFIX,
  statements,
});

describe("SharedAccessPolicy provider", () => {
  let aws: ReturnType<typeof standIn>;
  afterEach(() => aws?.restore());

  it("adds this stack's statement to an adopted queue's policy, the other producer's statement kept exactly as read", async () => {
    // Prepare
    const live = JSON.stringify({ Version: "2012-10-17", Id: "team", Statement: [BILLING] });
    aws = standIn(live);
    // Act
    await provider.create(queueInputs());
    // Assess: one SetQueueAttributes, with exactly this policy; never the stack's statement alone.
    assert.deepEqual(aws.store.sets, [
      {
        QueueUrl: QUEUE_URL,
        Attributes: {
          Policy: JSON.stringify({
            Version: "2012-10-17",
            Id: "team",
            Statement: [BILLING, ours(QUEUE_ARN, "sqs:SendMessage")],
          }),
        },
      },
    ]);
  });

  it("adds to an adopted topic's policy with SetTopicAttributes, keeping SNS's default statement", async () => {
    const defaultStatement = {
      Sid: "__default_statement_ID",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: ["SNS:Publish", "SNS:Subscribe"],
      Resource: TOPIC_ARN,
      Condition: { StringEquals: { "AWS:SourceOwner": "111122223333" } },
    };
    aws = standIn(
      JSON.stringify({ Version: "2008-10-17", Id: "__default_policy_ID", Statement: [defaultStatement] }),
    );
    const statement = ours(TOPIC_ARN, "sns:Publish");
    await provider.create({
      kind: "sns",
      arn: TOPIC_ARN,
      url: "",
      sidPrefix: PREFIX,
      statements: [statement],
    });
    assert.deepEqual(aws.store.sets, [
      {
        TopicArn: TOPIC_ARN,
        AttributeName: "Policy",
        AttributeValue: JSON.stringify({
          Version: "2008-10-17",
          Id: "__default_policy_ID",
          Statement: [defaultStatement, statement],
        }),
      },
    ]);
  });

  it("writes nothing when the policy already holds exactly this stack's statements", async () => {
    aws = standIn(
      JSON.stringify({ Version: "2012-10-17", Statement: [BILLING, ours(QUEUE_ARN, "sqs:SendMessage")] }),
    );
    await provider.create(queueInputs());
    assert.deepEqual(aws.store.sets, []);
  });

  it("update replaces only this stack's statements; delete removes only them", async () => {
    aws = standIn(JSON.stringify({ Version: "2012-10-17", Statement: [BILLING] }));
    const first = queueInputs();
    await provider.create(first);
    const second = queueInputs([ours(QUEUE_ARN, "sqs:SendMessage", `${PREFIX}Events`)]);
    await provider.update!(QUEUE_ARN, first, second);
    assert.deepEqual(JSON.parse(aws.store.policy!).Statement, [
      BILLING,
      ours(QUEUE_ARN, "sqs:SendMessage", `${PREFIX}Events`),
    ]);
    await provider.delete!(QUEUE_ARN, second);
    assert.equal(aws.store.policy, JSON.stringify({ Version: "2012-10-17", Statement: [BILLING] }));
  });

  it("removes the policy when only this stack's statements were in it", async () => {
    aws = standIn(undefined);
    await provider.create(queueInputs());
    await provider.delete!(QUEUE_ARN, queueInputs());
    assert.deepEqual(aws.store.sets.at(-1), { QueueUrl: QUEUE_URL, Attributes: { Policy: "" } });
  });

  it("check fails at preview on a foreign Deny that would block this stack's statement, and on a missing queue", async () => {
    const deny = { Sid: "Lockdown", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: QUEUE_ARN };
    aws = standIn(JSON.stringify({ Version: "2012-10-17", Statement: [deny] }));
    const result = await provider.check!({} as SharedPolicyInputs, queueInputs());
    assert.deepEqual(
      result.failures?.map((f) => f.property),
      ["statements"],
    );
    assert.match(
      result.failures![0].reason,
      /^The access policy of queue "arn:aws:sqs:eu-west-1:111122223333:shared-jobs" has a statement "Lockdown" that denies sqs:\* to \*/,
    );
    await assert.rejects(provider.create(queueInputs()), /has a statement "Lockdown" that denies/);
    assert.deepEqual(aws.store.sets, []);
    aws.store.exists = false;
    const missing = await provider.check!({} as SharedPolicyInputs, queueInputs());
    assert.deepEqual(missing.failures, [
      {
        property: "arn",
        reason:
          'The queue "arn:aws:sqs:eu-west-1:111122223333:shared-jobs" does not exist, so no statement can be added to its access policy. Check "existing.arn" and "existing.url".',
      },
    ]);
  });

  it("diff fails at preview when this stack's statement was removed outside Pulumi (drift)", async () => {
    aws = standIn(JSON.stringify({ Version: "2012-10-17", Statement: [BILLING] }));
    await assert.rejects(
      provider.diff!(QUEUE_ARN, queueInputs(), queueInputs()),
      new Error(
        `The access policy of queue "${QUEUE_ARN}": statement "${PREFIX}S3" of this stack was removed outside Pulumi ` +
          "since this stack last wrote it. Nothing was changed. Run `pulumi refresh` to accept the policy as it is, then " +
          "`pulumi up` to write this stack's statements again (or remove the route from the program if the change was deliberate).",
      ),
    );
  });

  it("starts again from a fresh read when another writer changes the policy between two reads", async () => {
    aws = standIn(JSON.stringify({ Version: "2012-10-17", Statement: [BILLING] }));
    const late = { ...BILLING, Sid: "LateProducer" };
    aws.store.afterGet = () => {
      // The first read is followed by another team's write, once.
      aws.store.afterGet = undefined;
      aws.store.policy = JSON.stringify({ Version: "2012-10-17", Statement: [BILLING, late] });
    };
    await provider.create(queueInputs());
    assert.deepEqual(JSON.parse(aws.store.policy!).Statement, [
      BILLING,
      late,
      ours(QUEUE_ARN, "sqs:SendMessage"),
    ]);
    assert.equal(aws.store.sets.length, 1);
  });

  it("serializes with only the AWS SDK clients required, as Pulumi's dynamic provider host loads it", async () => {
    const production = sharedPolicyProvider();
    const serialized = await pulumi.runtime.serializeFunction(() => production, { allowSecrets: false });
    const required = new Set([...serialized.text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    assert.deepEqual([...required].sort(), ["@aws-sdk/client-sns", "@aws-sdk/client-sqs"]);
  });
});
