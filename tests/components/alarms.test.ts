import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { policyOf, run, testCode } from "./harness";
import { ofType, one } from "../../components/testing/mockEngine";
import {
  Alarms,
  BucketEvents,
  EventBucket,
  LambdaTarget,
  queueConsumerHandler,
  QueueTarget,
  replicationHandler,
  StateMachineTarget,
  TopicTarget,
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
      const alarms = new Alarms("alarms", { emails: ["ops@example.com"], waiting: false });
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

  it("alarms on waiting: each queue's oldest message, each reference handler's p99 lag, each rule's p99 latency", async () => {
    const { resources } = await run(() => {
      const replica = new EventBucket("replica");
      const replicator = replicationHandler("replicator", { destination: { bucket: replica } });
      const consumer = queueConsumerHandler("consumer");
      const own = new LambdaTarget("own", { code: testCode });
      const queue = new QueueTarget("jobs", { consumer: { function: consumer.target } });
      const topic = new TopicTarget("news", { encryption: "none" });
      const flow = new StateMachineTarget("flow", {
        definition: { StartAt: "A", States: { A: { Type: "Succeed" } } },
      });
      const bucket = new EventBucket("b", {
        routes: [
          { name: "copy", events: ["created"], filter: { prefix: "a/" }, target: replicator.target },
          { name: "jobs", events: ["created"], filter: { prefix: "b/" }, target: queue },
          { name: "flow", events: ["created"], filter: { prefix: "c/" }, target: flow },
        ],
      });
      const calls = new BucketEvents("calls", {
        routes: [{ name: "made", calls: ["created"], buckets: "any", target: topic }],
        forceDestroy: true,
      });
      const alarms = new Alarms("alarms", {
        encryption: "none",
        periodSeconds: 60,
        waiting: { lagSeconds: 120, queueAgeSeconds: 900 },
      });
      alarms.watch({
        sources: [bucket, calls],
        targets: [replicator.target, consumer.target, own, queue, topic, flow],
      });
    });
    const waiting = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm")
      .filter((a) => a.inputs.threshold !== 0)
      .map((a) => [
        a.name,
        a.inputs.namespace,
        a.inputs.metricName,
        a.inputs.dimensions,
        a.inputs.extendedStatistic ?? a.inputs.statistic,
        a.inputs.threshold,
        a.inputs.period,
      ])
      .sort();
    assert.deepEqual(waiting, [
      [
        "alarms-b-flow-latency",
        "AWS/Events",
        "IngestionToInvocationStartLatency",
        { EventBusName: "default", RuleName: "b-flow" },
        "p99",
        120_000,
        60,
      ],
      [
        "alarms-calls-made-latency",
        "AWS/Events",
        "IngestionToInvocationStartLatency",
        { EventBusName: "default", RuleName: "calls-made" },
        "p99",
        120_000,
        60,
      ],
      [
        "alarms-lambda-consumer-lag",
        "S3EventRoutes",
        "DeliveryLag",
        { service: "s3-event-routes", Target: "consumer" },
        "p99",
        120_000,
        60,
      ],
      [
        "alarms-lambda-replicator-lag",
        "S3EventRoutes",
        "DeliveryLag",
        { service: "s3-event-routes", Target: "replicator" },
        "p99",
        120_000,
        60,
      ],
      [
        "alarms-sqs-jobs-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        { QueueName: "jobs-mock" },
        "Maximum",
        900,
        60,
      ],
    ]);
    const lag = one(
      resources,
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      "alarms-lambda-replicator-lag",
    ).inputs;
    assert.equal(lag.statistic, undefined, "a percentile alarm names no plain statistic");
    assert.deepEqual(
      [
        lag.comparisonOperator,
        lag.evaluationPeriods,
        lag.treatMissingData,
        lag.alarmActions,
        lag.alarmDescription,
      ],
      [
        "GreaterThanThreshold",
        1,
        "notBreaching",
        [`arn:aws:sns:us-east-1:${ACCOUNT}:alarms-topic-mock`],
        'Events reached lambda "replicator" more than 120 s (p99) after they happened: delivery, queues or retries are behind.',
      ],
    );
    // Own functions publish no DeliveryLag: no lag alarm for them; no age alarm on DLQs or topics.
    assert.equal(
      ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(
        (a) => /-(lag|age)$/.test(a.name) && /own|dlq|failures|news/.test(a.name),
      ).length,
      0,
    );
  });

  it("alarms on waiting by default (300 s lag, 1,800 s queue age); refuses a threshold that is not whole seconds", async () => {
    const { resources } = await run(() => {
      const queue = new QueueTarget("q", {});
      new Alarms("alarms", { encryption: "none" }).watch({ targets: [queue] });
    });
    assert.equal(
      one(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "alarms-sqs-q-age").inputs.threshold,
      1800,
    );
    await assert.rejects(
      run(() => new Alarms("alarms", { encryption: "none", waiting: { lagSeconds: 0.5 } })),
      {
        message:
          'Alarms "alarms": waiting.lagSeconds must be a whole number of seconds from 1 to 86400, got 0.5.',
      },
    );
  });
});
