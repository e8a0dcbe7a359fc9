import { strict as assert } from "node:assert";
import { createQueueConsumer } from "../../handlers/queue-consumer/consumer";
import { analyseObjectEvent } from "../../handlers/queue-consumer/analysis";
import type { S3ObjectEvent } from "../../handlers/shared/events";
import { fixture, lambdaContext, s3Event, sqsRecord } from "./support/events";
import { RecordingLogger } from "./support/recordingLogger";

const sqsFixtureRecord = (file: string) =>
  (fixture(file) as { Records: ReturnType<typeof sqsRecord>[] }).Records[0];

describe("queue consumer", () => {
  it("reports exactly the poison message in batchItemFailures; the rest succeed", async () => {
    const logger = new RecordingLogger();
    const seen: string[] = [];
    const consumer = createQueueConsumer({
      logger,
      processObject: async (event) => {
        seen.push(`${event.source} ${event.key}`);
        return { status: "processed", reason: "seen" };
      },
    });
    const batch = {
      Records: [
        sqsFixtureRecord("sqs-s3-put.json"),
        sqsRecord("poison-1", '{"orderId":42}'),
        sqsFixtureRecord("sns-sqs-s3-put.json"),
        sqsFixtureRecord("eventbridge-sqs-object-created.json"),
        sqsFixtureRecord("sqs-s3-test-event.json"),
      ],
    };
    assert.deepStrictEqual(await consumer(batch, lambdaContext()), {
      batchItemFailures: [{ itemIdentifier: "poison-1" }],
    });
    assert.deepStrictEqual(seen.sort(), [
      "eventbridge-sqs raw photos/Été à Paris+1.jpg",
      "sns-sqs raw photos/Été à Paris+1.jpg",
      "sqs raw photos/Été à Paris+1.jpg",
    ]);
    assert.deepStrictEqual(
      logger.entries.filter((e) => e.level === "error").map((e) => [e.message, e.attributes]),
      [
        [
          "queue-consumer: message is not an S3 notification",
          {
            messageId: "poison-1",
            error:
              "parseS3Notifications: received SQS message poison-1 body: an object with keys orderId; expected an S3 event " +
              'notification: {"Records":[...]} with eventSource "aws:s3", "aws:sqs" or "aws:sns", an EventBridge event with ' +
              'source "aws.s3", or an s3:TestEvent.',
          },
        ],
      ],
    );
    assert.ok(logger.messages("info").includes("queue-consumer: s3:TestEvent acknowledged, nothing to do"));
  });

  it("reports a message whose work throws, and only it", async () => {
    const consumer = createQueueConsumer({
      logger: new RecordingLogger(),
      processObject: async (event) => {
        if (event.key === "bad.jpg") throw new Error("downstream refused");
        return { status: "processed", reason: "ok" };
      },
    });
    const batch = {
      Records: [
        sqsRecord("m-1", s3Event({ bucket: "b", key: "good.jpg", size: 1 })),
        sqsRecord("m-2", s3Event({ bucket: "b", key: "bad.jpg", size: 1 })),
      ],
    };
    assert.deepStrictEqual(await consumer(batch, lambdaContext()), {
      batchItemFailures: [{ itemIdentifier: "m-2" }],
    });
  });

  it("logs an analysis summary by default", async () => {
    const logger = new RecordingLogger();
    const consumer = createQueueConsumer({ logger });
    await consumer({ Records: [sqsFixtureRecord("sqs-s3-put.json")] }, lambdaContext());
    const entry = logger.entries.find((e) => e.message === "queue-consumer: object event analysed");
    assert.deepStrictEqual(entry?.attributes, {
      uri: "s3://amzn-s3-demo-bucket/raw photos/Été à Paris+1.jpg",
      eventName: "ObjectCreated:Put",
      source: "sqs",
      size: 1024,
      extension: "jpg",
      category: "image",
      topLevelPrefix: "raw photos/",
      depth: 1,
    });
  });

  it("refuses an event that is not an SQS batch, saying what it received", async () => {
    const consumer = createQueueConsumer({ logger: new RecordingLogger() });
    await assert.rejects(consumer(fixture("s3-put.json"), lambdaContext()), {
      name: "S3NotificationError",
      message:
        'queue-consumer: received an object with keys Records; expected an SQS event ({"Records":[...]} with eventSource "aws:sqs").',
    });
  });

  it("analyses folder markers and keys without extension", () => {
    const base: S3ObjectEvent = {
      source: "s3",
      region: "us-east-1",
      bucket: "b",
      key: "a/b/",
      eventName: "ObjectCreated:Put",
      eventTime: "2025-11-12T10:15:30.000Z",
      size: 0,
    };
    assert.equal(analyseObjectEvent(base).category, "folder marker");
    assert.deepStrictEqual(
      (({ extension, category, topLevelPrefix, depth }) => ({ extension, category, topLevelPrefix, depth }))(
        analyseObjectEvent({ ...base, key: "README", size: 10 }),
      ),
      { extension: "", category: "other", topLevelPrefix: "", depth: 0 },
    );
  });
});
