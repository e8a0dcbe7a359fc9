/**
 * The local destinations behind one deliver(arn, delivery), without servers: a user's own workflow
 * delivered to the Step Functions destination, its Task states reaching the stack's topic (an email
 * subscriber, printed) and queue (held, no consumer) through the SNS and SQS destinations.
 */
import { strict as assert } from "node:assert";
import type { S3Client } from "@aws-sdk/client-s3";
import { destinationOf, Destinations, LoopContext, LoopRecord } from "../../cli/local/destinations/delivery";
import { EventBridgeRules } from "../../cli/local/destinations/eventBridge";
import { LambdaDestination } from "../../cli/local/destinations/lambda";
import { SnsDestination } from "../../cli/local/destinations/sns";
import { SqsDestination } from "../../cli/local/destinations/sqs";
import { StepFunctionsDestination } from "../../cli/local/destinations/stepFunctions";
import { WebhookDestination } from "../../cli/local/destinations/webhook";
import { LocalFunctions } from "../../cli/local/functions";
import type { Topology } from "../../cli/local/topology";
import { PendingWork } from "../../cli/local/work";

const ACCOUNT = "123456789012";
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:done-mock`;
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:later-mock`;
const MACHINE = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:review-mock`;

/** A user's own definition: Choice, Pass, Map and Parallel, ending in SNS and SQS tasks. */
const definition = {
  StartAt: "Kind",
  States: {
    Kind: {
      Type: "Choice",
      Choices: [{ Variable: "$.detail.object.key", StringMatches: "reviews/*", Next: "Pages" }],
      Default: "Ignored",
    },
    Pages: { Type: "Pass", Result: [1, 2], ResultPath: "$.pages", Next: "EachPage" },
    EachPage: {
      Type: "Map",
      ItemsPath: "$.pages",
      ItemProcessor: {
        StartAt: "Label",
        States: {
          Label: { Type: "Pass", Parameters: { "page.$": "States.Format('page {}', $)" }, End: true },
        },
      },
      ResultPath: "$.labels",
      Next: "Tell",
    },
    Tell: {
      Type: "Parallel",
      Branches: [
        {
          StartAt: "Mail",
          States: {
            Mail: {
              Type: "Task",
              Resource: "arn:aws:states:::sns:publish",
              Parameters: { TopicArn: TOPIC, Subject: "reviewed", "Message.$": "$.detail.object.key" },
              End: true,
            },
          },
        },
        {
          StartAt: "Later",
          States: {
            Later: {
              Type: "Task",
              Resource: "arn:aws:states:::sqs:sendMessage",
              Parameters: {
                QueueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/later-mock`,
                "MessageBody.$": "$.labels",
              },
              End: true,
            },
          },
        },
      ],
      ResultPath: null,
      End: true,
    },
    Ignored: { Type: "Succeed" },
  },
};

function topology(machineDefinition: Record<string, unknown> = definition): Topology {
  return {
    accountId: ACCOUNT,
    region: "us-east-1",
    buckets: ["uploads-mock"],
    routes: [],
    nativeDestinations: new Map(),
    eventBridgeBuckets: new Set(["uploads-mock"]),
    functions: [],
    queues: [{ name: "later", queueName: "later-mock", arn: QUEUE, visibilityTimeoutSeconds: 30 }],
    topics: [
      {
        name: "done",
        arn: TOPIC,
        subscriptions: [{ name: "done-mail", protocol: "email", endpoint: "team@example.com", raw: false }],
      },
    ],
    rules: [],
    stateMachines: [{ name: "review", arn: MACHINE, definition: machineDefinition }],
    apiDestinations: [],
    tables: [],
  };
}

/** The destinations wired as the loop wires them, printing into `lines`. */
function destinations(machineDefinition?: Record<string, unknown>) {
  const lines: string[] = [];
  const record: LoopRecord = {
    events: [],
    bucketCalls: [],
    invocations: [],
    notifications: [],
    executions: [],
    failures: [],
  };
  const stack = topology(machineDefinition);
  const ctx: LoopContext = {
    topology: stack,
    functions: new LocalFunctions(process.cwd(), stack.functions),
    record,
    retryDelayMs: 0,
    s3: (): S3Client => assert.fail("no S3 call expected"),
    say: (tag, text) => void lines.push(`${tag ?? ""} ${text}`),
    fail: (tag, text) => {
      record.failures.push(text);
      lines.push(`${tag ?? ""} FAILED: ${text}`);
    },
  };
  const work = new PendingWork();
  const to = {} as Destinations;
  to.lambda = new LambdaDestination(ctx, to);
  to.sns = new SnsDestination(ctx, to);
  to.sqs = new SqsDestination(ctx, to, work, 0);
  to.stepFunctions = new StepFunctionsDestination(ctx, to);
  to.webhook = new WebhookDestination(ctx, to);
  to.eventBridge = new EventBridgeRules(ctx, to);
  return { to, lines, record, work };
}

describe("local loop: destinations behind one deliver(arn, delivery)", () => {
  it("finds the destination of each kind by ARN, and none for an ARN the stack does not hold", () => {
    const { to } = destinations();

    assert.equal(destinationOf(to, TOPIC), to.sns);
    assert.equal(destinationOf(to, QUEUE), to.sqs);
    assert.equal(destinationOf(to, MACHINE), to.stepFunctions);
    assert.equal(destinationOf(to, `arn:aws:sns:us-east-1:${ACCOUNT}:other`), undefined);
  });

  it("runs a user's workflow whose tasks publish to the stack's topic and send to its queue", async () => {
    const { to, lines, record, work } = destinations();
    const event = { "detail-type": "Object Created", detail: { object: { key: "reviews/a.pdf" } } };

    await to.stepFunctions.deliver(MACHINE, {
      tag: "#1",
      via: "route review",
      shape: 'EventBridge "Object Created", rule uploads-review',
      body: JSON.stringify(event),
    });
    await work.settled();

    assert.deepEqual(record.failures, []);
    // The Parallel state's two branches run at once: their order is not fixed.
    const [execution] = record.executions;
    const names = execution.steps.map((s) => s.name);
    assert.deepEqual(
      [execution.stateMachine, execution.status, names.slice(0, 5), names.slice(5, 7).sort(), names.slice(7)],
      [
        'sfn "review"',
        "SUCCEEDED",
        ["Kind", "Pages", "Label", "Label", "EachPage"],
        ["Later", "Mail"],
        ["Tell"],
      ],
    );
    assert.deepEqual(
      record.notifications.map((n) => [n.topic, n.protocol, n.endpoint, n.subject, n.body]),
      [['sns "done"', "email", "team@example.com", "reviewed", "reviews/a.pdf"]],
    );
    assert.deepEqual(
      to.sqs.queues.stored(topology().queues[0]).map((m) => m.body),
      ['[{"page":"page 1"},{"page":"page 2"}]'],
    );
    const printed = lines
      .filter((l) => !/sfn "review" \w+ \(/.test(l)) // the steps, checked above
      .map((l) => l.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>"));
    assert.deepEqual(
      [printed[0], printed.slice(1, -1).sort(), printed.slice(-1)],
      [
        '#1   route review → sfn "review" (EventBridge "Object Created", rule uploads-review)',
        [
          '#1   queue "later" holds message <id>: [{"page":"page 1"},{"page":"page 2"}]',
          '#1   sfn "review" → sns "done" (sns:publish, published as the message)',
          '#1   sfn "review" → sqs "later" (sqs:sendMessage, as the message body)',
          '#1   sns "done" → email to team@example.com (printed, not sent): subject "reviewed", 13 characters: reviews/a.pdf',
        ],
        ['#1   sfn "review": execution <id> SUCCEEDED'],
      ],
    );
  });

  it("fails the task, not the loop, when a workflow names a topic the stack does not hold", async () => {
    const missing = `arn:aws:sns:us-east-1:${ACCOUNT}:gone`;
    const { to, record } = destinations({
      StartAt: "Mail",
      States: {
        Mail: {
          Type: "Task",
          Resource: "arn:aws:states:::sns:publish",
          Parameters: { TopicArn: missing, Message: "x" },
          End: true,
        },
      },
    });

    await to.stepFunctions.deliver(MACHINE, { tag: "#2", via: "rule r", shape: "test", body: "{}" });

    assert.deepEqual(
      record.executions.map((e) => [e.status, e.error]),
      [["FAILED", { Error: "SNS.NotFoundException", Cause: `Topic does not exist: ${missing}` }]],
    );
    assert.deepEqual(record.failures, [
      `sfn "review": execution FAILED: SNS.NotFoundException: Topic does not exist: ${missing}`,
    ]);
  });
});
