/**
 * The program under the package's offline mock engine (`s3-event-routes/testing`): no Pulumi CLI,
 * no AWS account. Configuration is given to the engine as `pulumi config set` would store it.
 */
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { one, ofType, RecordedResource, runProgram } from "s3-event-routes/testing";
import { ACCOUNT } from "./engine";

/** The program, loaded inside runProgram (after the engine is installed), as `pulumi up` would run it. */
const PROGRAM = join(__dirname, "..", "index");

const QUEUE_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:analysis-mock`;

const names = (urns: string[]) => urns.map((urn) => urn.split("::").pop());

describe("examples/fan-out", () => {
  let resources: RecordedResource[];

  before(async () => {
    const run = await runProgram(() => import(PROGRAM));
    assert.deepEqual(
      run.errors.map((e) => e.message),
      [],
    );
    resources = run.resources;
  });

  it("declares exactly one notification: the queue's entry, and EventBridge on for the other two routes", () => {
    const notifications = ofType(resources, "aws:s3/bucketNotification:BucketNotification");
    assert.equal(notifications.length, 1);
    assert.deepEqual(notifications[0].inputs, {
      bucket: "uploads-mock",
      eventbridge: true,
      lambdaFunctions: [],
      queues: [
        { id: "analysis", events: ["s3:ObjectCreated:*"], filterPrefix: "incoming/", queueArn: QUEUE_ARN },
      ],
      topics: [],
    });
  });

  it("lets only this bucket of this account send to the queue, before the notification is written", () => {
    const policy = one(resources, "aws:sqs/queuePolicy:QueuePolicy", "analysis-policy");
    const statements = (JSON.parse(policy.inputs.policy as string) as { Statement: unknown[] }).Statement;
    assert.deepEqual(statements[1], {
      Sid: "AllowS3",
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: QUEUE_ARN,
      Condition: {
        ArnLike: { "aws:SourceArn": "arn:aws:s3:::uploads-mock" },
        StringEquals: { "aws:SourceAccount": ACCOUNT },
      },
    });
    assert.equal(statements.length, 2);
    const notification = one(
      resources,
      "aws:s3/bucketNotification:BucketNotification",
      "uploads-notification",
    );
    assert.ok(names(notification.dependencies).includes("analysis-policy"));
  });

  it("drains the queue with the packaged consumer, reporting partial batch failures", () => {
    const mapping = one(resources, "aws:lambda/eventSourceMapping:EventSourceMapping", "analysis-consumer");
    assert.deepEqual(mapping.inputs, {
      batchSize: 10,
      eventSourceArn: QUEUE_ARN,
      functionName: "analysis-consumer-mock",
      functionResponseTypes: ["ReportBatchItemFailures"],
      maximumBatchingWindowInSeconds: 1,
    });
    const queue = one(resources, "aws:sqs/queue:Queue", "analysis");
    assert.equal(queue.inputs.visibilityTimeoutSeconds, 180, "6 × the consumer's 30 s timeout");
  });

  it("matches CSV files under incoming/ for the webhook, and deletions for the workflow, on this bucket only", () => {
    const patterns = Object.fromEntries(
      ofType(resources, "aws:cloudwatch/eventRule:EventRule").map((r) => [
        r.name,
        JSON.parse(r.inputs.eventPattern as string),
      ]),
    );
    assert.deepEqual(patterns, {
      "uploads-partner": {
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: ["uploads-mock"] }, object: { key: [{ wildcard: "incoming/*.csv" }] } },
      },
      "uploads-review": {
        source: ["aws.s3"],
        "detail-type": ["Object Deleted"],
        detail: {
          bucket: { name: ["uploads-mock"] },
          reason: ["DeleteObject"],
          "deletion-type": ["Permanently Deleted", "Delete Marker Created"],
        },
      },
    });
  });

  it("delivers to the webhook and the workflow with a role, EventBridge's retries and a dead-letter queue", () => {
    const targets = ofType(resources, "aws:cloudwatch/eventTarget:EventTarget");
    assert.deepEqual(
      targets.map((t) => [t.name, t.inputs.rule, t.inputs.arn, t.inputs.roleArn]),
      [
        [
          "partner-uploads-partner",
          "uploads-partner",
          `arn:aws:events:us-east-1:${ACCOUNT}:api-destination/partner-destination/mock`,
          `arn:aws:iam::${ACCOUNT}:role/partner-events-role`,
        ],
        [
          "review-uploads-review",
          "uploads-review",
          `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:review`,
          `arn:aws:iam::${ACCOUNT}:role/review-events-role`,
        ],
      ],
    );
    for (const t of targets) {
      assert.deepEqual(t.inputs.retryPolicy, { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 });
      assert.match(
        (t.inputs.deadLetterConfig as { arn: string }).arn,
        /^arn:aws:sqs:us-east-1:\d+:.*-failures-mock$/,
      );
    }
  });

  it("keeps the partner's API key a secret and calls only the configured HTTPS endpoint", () => {
    const connection = one(resources, "aws:cloudwatch/eventConnection:EventConnection", "partner-connection");
    assert.deepEqual(connection.secretInputs, ["authParameters.apiKey.value"]);
    assert.equal(connection.inputs.authorizationType, "API_KEY");
    const destination = one(
      resources,
      "aws:cloudwatch/eventApiDestination:EventApiDestination",
      "partner-destination",
    );
    assert.equal(destination.inputs.invocationEndpoint, "https://partner.example.com/s3-events");
  });

  it("installs no sharp: no image handler here, and sharp is an optional peer of the package", () => {
    for (const pkg of ["sharp", "@img", "exifr"]) {
      assert.equal(existsSync(join(__dirname, "..", "node_modules", pkg)), false, `${pkg} is not installed`);
    }
    assert.throws(() => require.resolve("sharp", { paths: [join(__dirname, "..")] }), {
      code: "MODULE_NOT_FOUND",
    });
  });
});
