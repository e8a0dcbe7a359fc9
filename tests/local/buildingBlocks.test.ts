import { strict as assert } from "node:assert";
import { bucketCallPattern, eventPatternFor, matchesPattern } from "../../model/eventPattern";
import { applyInputTransformer } from "../../model/inputTransformer";
import { OBJECT_EVENT_INPUT } from "../../components/ruleTarget";
import { processingWorkflowDefinition } from "../../components/stateMachineTarget";
import { parseS3Notifications } from "../../handlers/shared/events";
import {
  cloudTrailBucketEvent,
  eventBridgeObjectEvent,
  ObjectChange,
  s3Notification,
  sequencerSource,
  snsLambdaEvent,
  snsNotification,
  sqsRecord,
} from "../../cli/local/envelopes";
import { LocalQueues } from "../../cli/local/queues";
import { runExecution, StateMachineServices } from "../../cli/local/stateMachine";
import type { LocalQueue } from "../../cli/local/topology";
import { PendingWork } from "../../cli/local/work";

const change = (key: string, eventName = "ObjectCreated:Put"): ObjectChange => ({
  bucket: "uploads-mock",
  key,
  eventName,
  eventTime: "2025-11-12T10:15:30.123Z",
  ...(eventName.startsWith("ObjectCreated:") ? { size: 5, eTag: "b1946ac92492d2347c6235b4d2611184" } : {}),
  sequencer: "0000000000000000A1",
  sourceIp: "127.0.0.1",
  requestId: "C3D13FE58DE4C810",
  region: "us-east-1",
});

describe("local loop: envelopes", () => {
  it("writes the key URL-encoded in S3's envelope, and the handlers' parser reads it back decoded", () => {
    const event = s3Notification(change("raw photos/Été à Paris+1.jpg"), "thumbnails-jpg") as {
      Records: { eventVersion: string; s3: { configurationId: string; object: { key: string } } }[];
    };
    assert.deepEqual(
      [event.Records[0].eventVersion, event.Records[0].s3.configurationId, event.Records[0].s3.object.key],
      ["2.1", "thumbnails-jpg", "raw+photos/%C3%89t%C3%A9+%C3%A0+Paris%2B1.jpg"],
    );
    assert.deepEqual(
      parseS3Notifications(event).map((e) => [e.source, e.key, e.eventName, e.size, e.sequencer]),
      [["s3", "raw photos/Été à Paris+1.jpg", "ObjectCreated:Put", 5, "0000000000000000A1"]],
    );
  });

  it("builds EventBridge's events, which the routes' patterns match and the stable payload is made from", () => {
    const created = eventBridgeObjectEvent(change("invoices/2024/march report.pdf"), "123456789012")!;
    const pattern = eventPatternFor(
      "uploads-mock",
      ["s3:ObjectCreated:*"],
      { prefix: "invoices/", suffix: ".pdf" },
      "t",
    );
    assert.equal(matchesPattern(pattern, created), true);
    assert.equal(
      matchesPattern(pattern, eventBridgeObjectEvent(change("invoices/a.txt"), "123456789012")),
      false,
    );
    assert.deepEqual(created.detail, {
      version: "0",
      bucket: { name: "uploads-mock" },
      object: {
        key: "invoices/2024/march report.pdf",
        size: 5,
        etag: "b1946ac92492d2347c6235b4d2611184",
        sequencer: "0000000000000000A1",
      },
      "request-id": "C3D13FE58DE4C810",
      requester: "123456789012",
      "source-ip-address": "127.0.0.1",
      reason: "PutObject",
    });
    assert.equal(created.time, "2025-11-12T10:15:30Z");
    const payload = JSON.parse(applyInputTransformer(OBJECT_EVENT_INPUT, created)) as Record<string, unknown>;
    assert.deepEqual(
      parseS3Notifications(payload).map((e) => [e.source, e.key, e.eventName]),
      [["payload", "invoices/2024/march report.pdf", "ObjectCreated:Put"]],
    );
    const deleted = eventBridgeObjectEvent(change("docs/a.txt", "ObjectRemoved:Delete"), "123456789012")!;
    assert.deepEqual(
      [deleted["detail-type"], deleted.detail.reason, deleted.detail["deletion-type"]],
      ["Object Deleted", "DeleteObject", "Permanently Deleted"],
    );
    assert.deepEqual(
      parseS3Notifications(deleted).map((e) => [e.source, e.eventName]),
      [["eventbridge", "ObjectRemoved:Delete"]],
    );
  });

  it("wraps a published S3 event as SNS delivers it to SQS (no raw delivery) and to Lambda", () => {
    const message = JSON.stringify(s3Notification(change("shared/a b.txt"), "activity"));
    const notification = snsNotification(
      "arn:aws:sns:us-east-1:123456789012:activity",
      message,
      "Amazon S3 Notification",
    );
    const record = sqsRecord(
      {
        messageId: "m-1",
        body: JSON.stringify(notification),
        sentTimestamp: 1,
        firstReceiveTimestamp: 2,
        receiveCount: 1,
      },
      "arn:aws:sqs:us-east-1:123456789012:analysis",
    );
    assert.deepEqual(
      parseS3Notifications({ Records: [record] }).map((e) => [e.source, e.messageId, e.key]),
      [["sns-sqs", "m-1", "shared/a b.txt"]],
    );
    assert.deepEqual(
      parseS3Notifications(
        snsLambdaEvent(notification, "arn:aws:sns:us-east-1:123456789012:activity:sub"),
      ).map((e) => [e.source, e.key]),
      [["sns", "shared/a b.txt"]],
    );
  });

  it("records bucket calls as CloudTrail does, matched by the bucket-events pattern", () => {
    const event = cloudTrailBucketEvent(
      "CreateBucket",
      "dev-scratch",
      "123456789012",
      "us-east-1",
      "127.0.0.1",
    );
    assert.equal(matchesPattern(bucketCallPattern(["CreateBucket"], { namePrefix: "dev-" }), event), true);
    assert.equal(matchesPattern(bucketCallPattern(["DeleteBucket"], { namePrefix: "dev-" }), event), false);
    assert.equal(matchesPattern(bucketCallPattern(["CreateBucket"], { namePrefix: "prod-" }), event), false);
  });

  it("gives sequencers that increase strictly, even within one millisecond", () => {
    const next = sequencerSource();
    const all = Array.from({ length: 1000 }, next);
    assert.ok(all.every((s) => /^[0-9A-F]{18}$/.test(s)));
    assert.ok(all.every((s, i) => i === 0 || s > all[i - 1]));
  });
});

describe("local loop: the ready workflow, state by state", () => {
  const definition = processingWorkflowDefinition(
    "arn:aws:lambda:us-east-1:123456789012:function:processor",
    "results",
    ["application/pdf"],
  );
  const input = {
    id: "e-1",
    type: "Object Created",
    time: "2025-11-12T10:15:30Z",
    bucket: "b",
    key: "invoices/a.pdf",
  };

  function services(o: {
    contentType?: string;
    headError?: Error;
    processor?: () => unknown;
    putFailures?: number;
  }) {
    const calls: string[] = [];
    const items: Record<string, unknown>[] = [];
    let putFailures = o.putFailures ?? 0;
    const s: StateMachineServices = {
      awsSdk: async (service, action, parameters) => {
        calls.push(`${service}:${action} ${JSON.stringify(parameters)}`);
        if (o.headError) throw o.headError;
        return { $metadata: {}, ContentType: o.contentType, ContentLength: 5, LastModified: new Date(0) };
      },
      invokeFunction: async (name, payload) => {
        calls.push(`invoke ${name.split(":").pop()} ${JSON.stringify(payload)}`);
        return o.processor ? o.processor() : { outcomes: [{ status: "processed", reason: "done" }] };
      },
      putItem: async (table, item) => {
        if (putFailures-- > 0) throw new Error("throttled");
        calls.push(`putItem ${table}`);
        items.push(item);
      },
      publish: async (topicArn, message) => {
        calls.push(`publish ${topicArn} ${message}`);
        return "m-1";
      },
      sendMessage: async (queueUrl, body) => {
        calls.push(`sendMessage ${queueUrl} ${body}`);
        return "m-2";
      },
    };
    return { s, calls, items };
  }

  it("reads the metadata, processes a PDF and records the result", async () => {
    const { s, calls, items } = services({ contentType: "application/pdf" });
    const result = await runExecution(
      "arn:aws:states:us-east-1:123456789012:stateMachine:invoices",
      definition,
      input,
      s,
    );
    assert.equal(result.status, "SUCCEEDED");
    assert.match(
      result.executionArn,
      /^arn:aws:states:us-east-1:123456789012:execution:invoices:[0-9a-f-]{36}$/,
    );
    assert.deepEqual(
      result.steps.map((x) => x.name),
      ["ReadMetadata", "ByContentType", "Process", "RecordResult"],
    );
    const metadata = { contentType: "application/pdf", contentLength: 5 };
    assert.deepEqual(calls, [
      's3:headObject {"Bucket":"b","Key":"invoices/a.pdf"}',
      `invoke processor ${JSON.stringify({ ...input, metadata })}`,
      "putItem results",
    ]);
    assert.deepEqual(items, [
      {
        pk: { S: "b/invoices/a.pdf" },
        eventId: { S: "e-1" },
        time: { S: "2025-11-12T10:15:30Z" },
        contentType: { S: "application/pdf" },
        result: { S: '{"outcomes":[{"status":"processed","reason":"done"}]}' },
      },
    ]);
    assert.deepEqual(result.output, {
      ...input,
      metadata,
      processed: { result: { outcomes: [{ status: "processed", reason: "done" }] } },
    });
  });

  it("skips other content types, and ends in ObjectGone when the object is gone", async () => {
    const text = services({ contentType: "text/plain" });
    const skipped = await runExecution("arn:aws:states:::stateMachine:m", definition, input, text.s);
    assert.deepEqual(
      [skipped.status, skipped.steps.map((x) => x.name)],
      ["SUCCEEDED", ["ReadMetadata", "ByContentType", "Skipped"]],
    );
    assert.equal(text.calls.length, 1);

    const notFound = Object.assign(new Error("Not Found"), { name: "NotFound" });
    const gone = await runExecution(
      "arn:aws:states:::stateMachine:m",
      definition,
      input,
      services({ headError: notFound }).s,
    );
    assert.deepEqual(
      [gone.status, gone.steps.map((x) => `${x.name}: ${x.note}`), (gone.output as { error: unknown }).error],
      [
        "SUCCEEDED",
        ["ReadMetadata: S3.NotFoundException caught → ObjectGone", "ObjectGone: succeeded"],
        { Error: "S3.NotFoundException", Cause: "Not Found" },
      ],
    );
  });

  it("fails the execution with the processor's error, and retries the record step (States.ALL)", async () => {
    const failing = services({
      contentType: "application/pdf",
      processor: () => {
        throw new TypeError("boom");
      },
    });
    const failed = await runExecution("arn:aws:states:::stateMachine:m", definition, input, failing.s);
    assert.deepEqual(
      [failed.status, failed.error],
      ["FAILED", { Error: "TypeError", Cause: '{"errorMessage":"boom","errorType":"TypeError"}' }],
    );
    const flaky = services({ contentType: "application/pdf", putFailures: 2 });
    const retried = await runExecution("arn:aws:states:::stateMachine:m", definition, input, flaky.s);
    assert.equal(retried.status, "SUCCEEDED");
    assert.equal(retried.steps.filter((x) => x.name === "RecordResult").length, 3);
    assert.equal(flaky.items.length, 1);
  });
});

describe("local loop: queues", () => {
  it("redelivers exactly the reported messages, dead-letters after maxReceiveCount, deletes the rest", async () => {
    const queue: LocalQueue = {
      name: "q",
      queueName: "q-mock",
      arn: "arn:aws:sqs:us-east-1:123456789012:q-mock",
      visibilityTimeoutSeconds: 30,
      redrive: { deadLetterArn: "arn:aws:sqs:us-east-1:123456789012:dlq-mock", maxReceiveCount: 3 },
      consumer: { functionName: "f", batchSize: 10, windowSeconds: 0, reportBatchItemFailures: true },
    };
    const dlq: LocalQueue = {
      name: "dlq",
      queueName: "dlq-mock",
      arn: queue.redrive!.deadLetterArn,
      visibilityTimeoutSeconds: 30,
    };
    const batches: string[][] = [];
    const deadLettered: string[] = [];
    const work = new PendingWork();
    const queues = new LocalQueues(
      [queue, dlq],
      {
        consume: async (_q, event) => {
          const bodies = event.Records.map((r) => String(r.body));
          batches.push(bodies);
          const ids = event.Records.filter((r) => r.body === "poison").map((r) => String(r.messageId));
          return { failed: ids };
        },
        stored: () => undefined,
        deadLettered: (_q, m) => deadLettered.push(`${m.body} after ${m.receiveCount}`),
        redelivering: () => undefined,
      },
      work,
      5,
    );
    queues.send(queue, "a");
    queues.send(queue, "poison");
    queues.send(queue, "b");
    await work.settled();
    assert.deepEqual(batches, [["a", "poison", "b"], ["poison"], ["poison"]]);
    assert.deepEqual(deadLettered, ["poison after 3"]);
    assert.deepEqual(
      queues.processed(queue).map((m) => m.body),
      ["a", "b"],
    );
    assert.deepEqual(
      queues.stored(dlq).map((m) => [m.body, m.receiveCount]),
      [["poison", 3]],
    );
    queues.close();
  });
});
