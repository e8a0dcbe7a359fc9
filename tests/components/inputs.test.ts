/**
 * Arguments the way users hold them: every string argument of every target as a plain string, a
 * known Output, a secret Output and an Output unknown during preview — accepted when valid, refused
 * with the same exact message (naming the component, the field and the value, `[secret]` for a
 * secret) whether it is known at construction or only when it resolves, and never a TypeError or
 * Pulumi's "Calling [toString] on an [Output<T>]" text.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { one, ProgramRun, runProgram } from "../../components/testing/mockEngine";
import {
  BucketEvents,
  EncryptionKey,
  EventBucket,
  LambdaTarget,
  QueueTarget,
  StateMachineTarget,
  TopicTarget,
  WebhookTarget,
} from "../../components";
import { RecordedResource, testCode } from "./harness";

const ACCOUNT = "123456789012";
const QUEUE_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`;
const QUEUE_URL = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/jobs`;
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`;
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:resize`;
const MACHINE_ARN = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:process`;
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management`;
const DEFINITION = JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Succeed" } } });
const apiKey = () => ({ type: "apiKey" as const, header: "x-api-key", value: pulumi.secret("k") });

type Variant = "string" | "output" | "secret" | "unknown";
const VARIANTS: Variant[] = ["string", "output", "secret", "unknown"];
const TITLE: Record<Variant, string> = {
  string: "a string",
  output: "a known Output",
  secret: "a secret Output",
  unknown: "an Output unknown at preview",
};

/** The value as each variant gives it. */
function as(variant: Variant, value: string): pulumi.Input<string> {
  switch (variant) {
    case "string":
      return value;
    case "output":
      return pulumi.output(value);
    case "secret":
      return pulumi.secret(value);
    case "unknown":
      return pulumi.output(pulumi.unknown) as unknown as pulumi.Output<string>;
  }
}

/** No error of a run is a TypeError or holds Pulumi's text for a stringified Output. */
function assertNoLeaks(run: ProgramRun): void {
  for (const e of run.errors) {
    assert.notEqual(e.name, "TypeError", e.stack);
    assert.ok(!/toString|Output<T>|is not a function/.test(e.message), e.message);
  }
}

/** Runs a program that must fail with `expected` (whatever resource input carried the failure). */
async function failsWith(program: () => unknown, expected: string): Promise<void> {
  const run = await runProgram(program);
  assertNoLeaks(run);
  assert.ok(run.errors.length > 0, `expected the program to fail with: ${expected}`);
  for (const e of run.errors) {
    assert.ok(
      e.message === expected || e.message.endsWith(`: ${expected}`),
      `got:      ${e.message}\nexpected: ${expected}`,
    );
  }
}

/** One string argument of one component. */
interface Arg {
  /** `<Component> <field>`. */
  name: string;
  /** A valid value. */
  valid: string;
  /** Builds the component with the argument set to `value`. */
  build(value: pulumi.Input<string>): void;
  /** Where the value must arrive: the resource input that carries it. */
  reaches?: (resources: RecordedResource[]) => unknown;
  /** An invalid value, and the exact message for it (given how the value is shown). */
  invalid?: { value: string; message(display: string): string };
}

const ARGS: Arg[] = [
  {
    name: "QueueTarget existing.arn",
    valid: QUEUE_ARN,
    build: (v) => new QueueTarget("q", { existing: { arn: v, url: QUEUE_URL } }),
    reaches: (r) => one(r, "s3-event-routes:index:QueueTarget", "q").outputs?.arn,
    invalid: {
      value: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs.fifo`,
      message: (d) =>
        `QueueTarget "q": ${d} is a FIFO queue; S3 notifications can only go to standard queues. Use a standard queue, or route through EventBridge to reach a FIFO queue.`,
    },
  },
  {
    name: "QueueTarget existing.url",
    valid: QUEUE_URL,
    build: (v) => new QueueTarget("q", { existing: { arn: QUEUE_ARN, url: v } }),
    reaches: (r) => one(r, "s3-event-routes:index:QueueTarget", "q").outputs?.url,
    invalid: {
      value: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/other`,
      message: (d) =>
        `QueueTarget "q": existing.url ${d} and existing.arn ${d === "[secret]" ? d : JSON.stringify(QUEUE_ARN)} name different queues. Give the URL and the ARN of the same queue (aws sqs get-queue-url / get-queue-attributes).`,
    },
  },
  {
    name: "TopicTarget existing.arn",
    valid: TOPIC_ARN,
    build: (v) => new TopicTarget("t", { existing: { arn: v } }),
    reaches: (r) => one(r, "s3-event-routes:index:TopicTarget", "t").outputs?.arn,
    invalid: {
      value: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts.fifo`,
      message: (d) =>
        `TopicTarget "t": ${d} is a FIFO topic; S3 notifications can only go to standard topics. Use a standard topic, or route through EventBridge to reach a FIFO topic.`,
    },
  },
  {
    name: "TopicTarget kmsKeyArn",
    valid: KEY_ARN,
    build: (v) => new TopicTarget("t", { kmsKeyArn: v }),
    reaches: (r) => one(r, "aws:sns/topic:Topic", "t").inputs.kmsMasterKeyId,
    invalid: {
      value: "alias/aws/sns",
      message: (d) =>
        `TopicTarget "t": ${d} is an AWS-managed key. S3 cannot use it, so every event would be silently dropped. Use a customer-managed key (an EncryptionKey, or a key whose policy lets s3.amazonaws.com call kms:GenerateDataKey* and kms:Decrypt), or leave the key out for the service's own encryption.`,
    },
  },
  {
    name: "TopicTarget email endpoint",
    valid: "ops@example.com",
    build: (v) => new TopicTarget("t", { subscriptions: [{ protocol: "email", endpoint: v }] }),
    reaches: (r) => one(r, "aws:sns/topicSubscription:TopicSubscription", "t-sub-1").inputs.endpoint,
    invalid: {
      value: "ops@example",
      message: (d) =>
        `TopicTarget "t": subscriptions[0].endpoint ${d} is not an email address. Give one like "ops@example.com" (no spaces, no display name).`,
    },
  },
  {
    name: "TopicTarget sms endpoint",
    valid: "+15555550100",
    build: (v) => new TopicTarget("t", { subscriptions: [{ protocol: "sms", endpoint: v }] }),
    reaches: (r) => one(r, "aws:sns/topicSubscription:TopicSubscription", "t-sub-1").inputs.endpoint,
    invalid: {
      value: "555-0100",
      message: (d) =>
        `TopicTarget "t": subscriptions[0].endpoint ${d} is not a phone number in E.164 form. Give "+", the country code and the number, digits only, e.g. "+15555550100".`,
    },
  },
  {
    name: "TopicTarget https endpoint",
    valid: "https://hooks.example.com/sns",
    build: (v) => new TopicTarget("t", { subscriptions: [{ protocol: "https", endpoint: v }] }),
    reaches: (r) => one(r, "aws:sns/topicSubscription:TopicSubscription", "t-sub-1").inputs.endpoint,
    invalid: {
      value: "https:hooks.example.com",
      message: (d) =>
        `TopicTarget "t": subscriptions[0].endpoint ${d} is not an HTTPS URL. SNS would deliver events in clear text or not at all: use an https:// URL.`,
    },
  },
  {
    name: "LambdaTarget existing.arn",
    valid: FUNCTION_ARN,
    build: (v) => new LambdaTarget("f", { existing: { arn: v } }),
    reaches: (r) =>
      one(r, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "f-async").inputs.functionName,
    invalid: {
      value: "resize",
      message: (d) =>
        `LambdaTarget "f": existing.arn ${d} is not the ARN of a Lambda function (unqualified). Give one like "${FUNCTION_ARN}".`,
    },
  },
  {
    name: "LambdaTarget code.handler",
    valid: "index.handler",
    build: (v) => new LambdaTarget("f", { code: { ...testCode, handler: v } }),
    reaches: (r) => one(r, "aws:lambda/function:Function", "f").inputs.handler,
  },
  {
    name: "StateMachineTarget existing.arn",
    valid: MACHINE_ARN,
    build: (v) => new StateMachineTarget("m", { existing: { arn: v } }),
    reaches: (r) =>
      JSON.parse(one(r, "aws:iam/rolePolicy:RolePolicy", "m-events-policy").inputs.policy as string)
        .Statement[0].Resource,
    invalid: {
      value: `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:process`,
      message: (d) =>
        `StateMachineTarget "m": existing.arn ${d} is in region eu-west-1, but this stack deploys to us-east-1; S3 and EventBridge only deliver within a region. Use a destination in us-east-1, or give the component a provider for eu-west-1.`,
    },
  },
  {
    name: "StateMachineTarget definition",
    valid: DEFINITION,
    build: (v) => new StateMachineTarget("m", { definition: v }),
    reaches: (r) => one(r, "aws:sfn/stateMachine:StateMachine", "m").inputs.definition,
    invalid: {
      value: JSON.stringify({ StartAt: "Process", States: { Done: { Type: "Succeed" } } }),
      message: () =>
        `StateMachineTarget "m": definition is not a valid Amazon States Language definition: State Done is not reachable; Missing 'StartAt'|'Next'|'Default' target: Process. Step Functions would refuse it; fix the definition (every StartAt, Next and Default must name a state).`,
    },
  },
  {
    name: "WebhookTarget endpoint",
    valid: "https://partner.example.com/hook",
    build: (v) => new WebhookTarget("w", { endpoint: v, auth: apiKey() }),
    reaches: (r) =>
      one(r, "aws:cloudwatch/eventApiDestination:EventApiDestination", "w-destination").inputs
        .invocationEndpoint,
    invalid: {
      value: "https://",
      message: (d) =>
        `WebhookTarget "w": endpoint ${d} is not an HTTPS URL. EventBridge API destinations only call HTTPS endpoints, and events must not travel in clear text: use an https:// URL.`,
    },
  },
  {
    name: "WebhookTarget auth.header",
    valid: "x-api-key",
    build: (v) =>
      new WebhookTarget("w", {
        endpoint: "https://partner.example.com/hook",
        auth: { type: "apiKey", header: v, value: pulumi.secret("k") },
      }),
    reaches: (r) =>
      (
        one(r, "aws:cloudwatch/eventConnection:EventConnection", "w-connection").inputs.authParameters as {
          apiKey: { key: string };
        }
      ).apiKey.key,
    invalid: {
      value: "x api key",
      message: (d) =>
        `WebhookTarget "w": auth.header ${d} is not a valid HTTP header name. Use e.g. "x-api-key".`,
    },
  },
  {
    name: "WebhookTarget auth.username",
    valid: "partner",
    build: (v) =>
      new WebhookTarget("w", {
        endpoint: "https://partner.example.com/hook",
        auth: { type: "basic", username: v, password: pulumi.secret("p") },
      }),
    reaches: (r) =>
      (
        one(r, "aws:cloudwatch/eventConnection:EventConnection", "w-connection").inputs.authParameters as {
          basic: { username: string };
        }
      ).basic.username,
  },
  {
    name: "WebhookTarget auth.tokenUrl",
    valid: "https://auth.example.com/token",
    build: (v) =>
      new WebhookTarget("w", {
        endpoint: "https://partner.example.com/hook",
        auth: {
          type: "oauth",
          tokenUrl: v,
          clientId: "c",
          clientSecret: pulumi.secret("s"),
          scope: "events",
        },
      }),
    reaches: (r) =>
      (
        one(r, "aws:cloudwatch/eventConnection:EventConnection", "w-connection").inputs.authParameters as {
          oauth: { authorizationEndpoint: string };
        }
      ).oauth.authorizationEndpoint,
    invalid: {
      value: " https://auth.example.com/token",
      message: (d) =>
        `WebhookTarget "w": auth.tokenUrl ${d} contains white space. Remove it: AWS refuses such a URL.`,
    },
  },
  {
    name: "WebhookTarget auth.clientId",
    valid: "client-1",
    build: (v) =>
      new WebhookTarget("w", {
        endpoint: "https://partner.example.com/hook",
        auth: {
          type: "oauth",
          tokenUrl: "https://auth.example.com/token",
          clientId: v,
          clientSecret: pulumi.secret("s"),
        },
      }),
    reaches: (r) =>
      (
        one(r, "aws:cloudwatch/eventConnection:EventConnection", "w-connection").inputs.authParameters as {
          oauth: { clientParameters: { clientId: string } };
        }
      ).oauth.clientParameters.clientId,
  },
  {
    name: "EventBucket existing.bucketName",
    valid: "shared-uploads",
    build: (v) => new EventBucket("b", { existing: { bucketName: v } }),
    reaches: (r) => one(r, "s3-event-routes:index:EventBucket", "b").outputs?.bucketName,
    invalid: {
      value: "shared uploads",
      message: (d) =>
        `EventBucket "b": existing.bucketName ${d} is not a valid S3 bucket name. Give the bucket's exact name (letters, digits, ".", "-" and "_").`,
    },
  },
  {
    name: "EventBucket bucketName",
    valid: "photos-2026",
    build: (v) => new EventBucket("b", { bucketName: v }),
    reaches: (r) => one(r, "aws:s3/bucket:Bucket", "b").inputs.bucket,
    invalid: {
      value: "Photos_2026",
      message: (d) =>
        `EventBucket "b": bucketName ${d} is not a valid S3 bucket name. Use 3 to 63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit.`,
    },
  },
  {
    name: "BucketEvents existingTrailArn",
    valid: TRAIL_ARN,
    build: (v) =>
      new BucketEvents("e", {
        existingTrailArn: v,
        routes: [
          { name: "lifecycle", calls: ["created"], target: new TopicTarget("t", { encryption: "none" }) },
        ],
      }),
    invalid: {
      value: "management",
      message: (d) =>
        `BucketEvents "e": existingTrailArn ${d} is not the ARN of a CloudTrail trail. Give one like "${TRAIL_ARN}".`,
    },
  },
  {
    name: "EncryptionKey description",
    valid: "routing key",
    build: (v) => new EncryptionKey("k", { description: v }),
    reaches: (r) => one(r, "aws:kms/key:Key", "k-key").inputs.description,
  },
];

describe("string arguments as users hold them", () => {
  for (const arg of ARGS) {
    describe(arg.name, () => {
      for (const variant of VARIANTS) {
        it(`accepts a valid value as ${TITLE[variant]}`, async () => {
          const run = await runProgram(() => arg.build(as(variant, arg.valid)));
          assertNoLeaks(run);
          assert.deepEqual(
            run.errors.map((e) => e.message),
            [],
          );
          if (arg.reaches && variant !== "unknown") {
            assert.equal(arg.reaches(run.resources), arg.valid);
          }
        });
      }
      if (arg.invalid) {
        const invalid = arg.invalid;
        for (const variant of ["string", "output", "secret"] as const) {
          it(`refuses an invalid value given as ${TITLE[variant]}${variant === "string" ? ", at construction" : ", when it resolves"}`, async () => {
            const display = variant === "secret" ? "[secret]" : JSON.stringify(invalid.value);
            await failsWith(() => arg.build(as(variant, invalid.value)), invalid.message(display));
          });
        }
      }
    });
  }

  it("refuses a plain string at construction, synchronously, before any resource is registered", () => {
    assert.throws(() => new QueueTarget("q", { existing: { arn: "not-an-arn", url: QUEUE_URL } }), {
      message: `QueueTarget "q": existing.arn "not-an-arn" is not the ARN of an SQS queue. Give one like "arn:aws:sqs:us-east-1:123456789012:jobs".`,
    });
  });

  it("refuses a value that is not a string at all, naming what it is", async () => {
    await failsWith(
      () => new QueueTarget("q", { existing: { arn: 42 as unknown as string, url: QUEUE_URL } }),
      `QueueTarget "q": existing.arn must be a string or an Output of one, got number. Give a string.`,
    );
    await failsWith(
      () =>
        new LambdaTarget("f", { existing: { arn: pulumi.output(7) as unknown as pulumi.Output<string> } }),
      `LambdaTarget "f": existing.arn resolved to number, not a string. Give a string.`,
    );
    await failsWith(
      () => new WebhookTarget("w", undefined as unknown as { endpoint: string; auth: never }),
      `WebhookTarget "w": arguments are missing or not an object (got undefined). Give them, e.g. { endpoint: "https://partner.example.com/hook", auth: { type: "apiKey", ... } }.`,
    );
  });

  it("refuses an adopted queue or function in another account, where this stack cannot write its policy or permission", async () => {
    await failsWith(
      () =>
        new QueueTarget("q", {
          existing: {
            arn: "arn:aws:sqs:us-east-1:999999999999:jobs",
            url: "https://sqs.us-east-1.amazonaws.com/999999999999/jobs",
          },
        }),
      `QueueTarget "q": existing.arn "arn:aws:sqs:us-east-1:999999999999:jobs" belongs to account 999999999999, but this stack deploys with account 123456789012, so it cannot have its queue policy written here. Give the component a provider for account 999999999999, or adopt it in a stack of that account.`,
    );
    const run = await runProgram(
      () =>
        new QueueTarget("q", {
          existing: {
            arn: "arn:aws:sqs:us-east-1:999999999999:jobs",
            url: "https://sqs.us-east-1.amazonaws.com/999999999999/jobs",
            managePolicy: false,
          },
        }),
    );
    assert.deepEqual(run.errors, [], "a queue whose policy is not managed here may be in another account");
    await failsWith(
      () =>
        new LambdaTarget("f", { existing: { arn: "arn:aws:lambda:us-east-1:999999999999:function:resize" } }),
      `LambdaTarget "f": existing.arn "arn:aws:lambda:us-east-1:999999999999:function:resize" belongs to account 999999999999, but this stack deploys with account 123456789012, so it cannot be given its permissions and invoke configuration here. Give the component a provider for account 999999999999, or adopt it in a stack of that account.`,
    );
  });
});
