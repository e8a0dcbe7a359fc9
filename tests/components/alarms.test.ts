import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { policyOf, run, testCode } from "./harness";
import { ofType, one } from "../../components/testing/mockEngine";
import {
  Alarms,
  EventBucket,
  LambdaTarget,
  QueueTarget,
  StateMachineTarget,
  WebhookTarget,
} from "../../components";

const ACCOUNT = "123456789012";

describe("Alarms", () => {
  it("alarms on every DLQ, handler errors and throttles, failed rules, webhooks and workflows, to one topic", async () => {
    const { resources } = await run(() => {
      const fn = new LambdaTarget("fn", { code: testCode });
      const queue = new QueueTarget("jobs", { consumer: { function: fn } });
      const hook = new WebhookTarget("hook", {
        endpoint: "https://example.com/hook",
        auth: { type: "apiKey", header: "x-api-key", value: pulumi.secret("k") },
      });
      const flow = new StateMachineTarget("flow", {
        definition: { StartAt: "A", States: { A: { Type: "Succeed" } } },
      });
      const bucket = new EventBucket("b", {
        routes: [
          { name: "fn", events: ["created"], filter: { prefix: "a/" }, target: fn },
          { name: "jobs", events: ["created"], filter: { prefix: "b/" }, target: queue },
          { name: "hook", events: ["removed"], target: hook },
          { name: "flow", events: ["created"], filter: { prefix: "c/" }, target: flow },
        ],
      });
      const alarms = new Alarms("alarms", { emails: ["ops@example.com"] });
      alarms.watch({ sources: [bucket], targets: [fn, queue, hook, flow, fn] });
    });
    const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.deepEqual(
      alarms.map((a) => [a.name, a.inputs.namespace, a.inputs.metricName, a.inputs.dimensions]).sort(),
      [
        ["alarms-b-flow-failed", "AWS/Events", "FailedInvocations", { RuleName: "b-flow" }],
        ["alarms-b-hook-failed", "AWS/Events", "FailedInvocations", { RuleName: "b-hook" }],
        [
          "alarms-flow-failures-depth",
          "AWS/SQS",
          "ApproximateNumberOfMessagesVisible",
          { QueueName: "flow-failures-mock" },
        ],
        [
          "alarms-fn-failures-depth",
          "AWS/SQS",
          "ApproximateNumberOfMessagesVisible",
          { QueueName: "fn-failures-mock" },
        ],
        [
          "alarms-hook-failures-depth",
          "AWS/SQS",
          "ApproximateNumberOfMessagesVisible",
          { QueueName: "hook-failures-mock" },
        ],
        [
          "alarms-jobs-dlq-depth",
          "AWS/SQS",
          "ApproximateNumberOfMessagesVisible",
          { QueueName: "jobs-dlq-mock" },
        ],
        ["alarms-lambda-fn-errors", "AWS/Lambda", "Errors", { FunctionName: "fn-mock" }],
        ["alarms-lambda-fn-throttles", "AWS/Lambda", "Throttles", { FunctionName: "fn-mock" }],
        [
          "alarms-sfn-flow-executions-failed",
          "AWS/States",
          "ExecutionsFailed",
          { StateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:flow` },
        ],
        [
          "alarms-webhook-hook-dead-lettered",
          "AWS/Events",
          "InvocationsSentToDlq",
          { ApiDestination: "hook-destination" },
        ],
      ],
    );
    const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:alarms-topic-mock`;
    for (const a of alarms) {
      assert.deepEqual(
        [a.inputs.threshold, a.inputs.comparisonOperator, a.inputs.alarmActions, a.inputs.treatMissingData],
        [0, "GreaterThanThreshold", [topicArn], "notBreaching"],
      );
    }
    const topicPolicy = policyOf(one(resources, "aws:sns/topicPolicy:TopicPolicy", "alarms-topic-policy"));
    assert.deepEqual(topicPolicy.Statement.find((s) => s.Sid === "AllowCloudwatch")?.Condition, {
      ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:alarms-*` },
      StringEquals: { "aws:SourceAccount": ACCOUNT },
    });
    assert.equal(
      one(resources, "aws:sns/topicSubscription:TopicSubscription", "alarms-topic-sub-1").inputs.endpoint,
      "ops@example.com",
    );
  });
});
