import { strict as assert } from "node:assert";
import { createQueueConsumer } from "../../handlers/queue-consumer/consumer";
import { parseS3Notifications } from "../../handlers/shared/events";
import { withDeliveryLag } from "../../handlers/shared/lag";
import { deliveryLagMs, percentileOf } from "../../handlers/shared/lagMetric";
import { fixture, lambdaContext, sqsRecord } from "./support/events";
import { RecordingLogger } from "./support/recordingLogger";

/** Every line written to stdout while `act` runs (Powertools Metrics prints EMF there). */
async function stdoutOf(act: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  }) as typeof process.stdout.write;
  try {
    await act();
  } finally {
    process.stdout.write = write;
  }
  return lines;
}

/** The EMF document Powertools writes for one record, without its timestamp. */
const emf = (target: string, path: string, lag: number) => ({
  _aws: {
    CloudWatchMetrics: [
      {
        Namespace: "S3EventRoutes",
        Dimensions: [
          ["service", "Target", "Path"],
          ["service", "Target"],
        ],
        Metrics: [{ Name: "DeliveryLag", Unit: "Milliseconds" }],
      },
    ],
  },
  service: "s3-event-routes",
  Target: target,
  Path: path,
  DeliveryLag: lag,
});

const withoutTimestamp = (line: string) => {
  const doc = JSON.parse(line) as { _aws: { Timestamp?: unknown } };
  assert.equal(typeof doc._aws.Timestamp, "number");
  delete doc._aws.Timestamp;
  return doc;
};

// Every fixture's event happened at 2025-11-12T10:15:30Z (S3: .000 ms; EventBridge: whole seconds).
const EVENT_TIME = Date.parse("2025-11-12T10:15:30.000Z");

describe("delivery lag", () => {
  const saved = { dev: process.env.POWERTOOLS_DEV, disabled: process.env.POWERTOOLS_METRICS_DISABLED };
  before(() => {
    delete process.env.POWERTOOLS_DEV;
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  });
  after(() => {
    if (saved.dev !== undefined) process.env.POWERTOOLS_DEV = saved.dev;
    if (saved.disabled !== undefined) process.env.POWERTOOLS_METRICS_DISABLED = saved.disabled;
  });

  it("publishes DeliveryLag in milliseconds, per target and path, from the event's time to the start of the work", async () => {
    const calls: string[] = [];
    const work = withDeliveryLag(
      async (event) => {
        calls.push(event.key);
        return "done";
      },
      { env: { DELIVERY_LAG_TARGET: "thumbnails" }, now: () => EVENT_TIME + 2_345 },
    );
    const [s3] = parseS3Notifications(fixture("s3-put.json"));
    const [bridge] = parseS3Notifications(fixture("eventbridge-object-created.json"));
    const lines = await stdoutOf(async () => {
      assert.equal(await work(s3), "done");
      assert.equal(await work(bridge), "done");
    });
    assert.deepStrictEqual(lines.map(withoutTimestamp), [
      emf("thumbnails", "s3", 2_345),
      emf("thumbnails", "eventbridge", 2_345),
    ]);
    assert.equal(calls.length, 2, "the work runs once per record, after the figure is written");
  });

  it("the queue consumer writes one figure per S3 record of its batch, by the path each came", async () => {
    const sqs = (name: string) => (fixture(name) as { Records: ReturnType<typeof sqsRecord>[] }).Records[0];
    const consumer = createQueueConsumer({
      logger: new RecordingLogger(),
      processObject: withDeliveryLag(async () => ({ status: "processed", reason: "seen" }), {
        env: { DELIVERY_LAG_TARGET: "analysis-consumer" },
        now: () => EVENT_TIME + 61_000,
      }),
      processInParallel: false,
    });
    const batch = {
      Records: [sqs("sqs-s3-put.json"), sqs("sns-sqs-s3-put.json"), sqsRecord("poison-1", '{"orderId":42}')],
    };
    let result: unknown;
    const lines = await stdoutOf(async () => {
      result = await consumer(batch, lambdaContext());
    });
    assert.deepStrictEqual(result, { batchItemFailures: [{ itemIdentifier: "poison-1" }] });
    assert.deepStrictEqual(lines.map(withoutTimestamp), [
      emf("analysis-consumer", "sqs", 61_000),
      emf("analysis-consumer", "sns-sqs", 61_000),
    ]);
  });

  it("names the function when the component set no target, and never writes a negative lag", async () => {
    const work = withDeliveryLag(async () => undefined, {
      env: { AWS_LAMBDA_FUNCTION_NAME: "replicator-3f9a2c1" },
      now: () => EVENT_TIME - 40,
    });
    const lines = await stdoutOf(() => work(parseS3Notifications(fixture("s3-put.json"))[0]));
    assert.deepStrictEqual(lines.map(withoutTimestamp), [emf("replicator-3f9a2c1", "s3", 0)]);
  });

  it("writes the line Powertools Metrics wrote, key for key, on stdout", async () => {
    const work = withDeliveryLag(async () => undefined, {
      env: { DELIVERY_LAG_TARGET: 'odd "name"' },
      now: () => EVENT_TIME + 7,
    });
    const [line] = await stdoutOf(() => work(parseS3Notifications(fixture("s3-put.json"))[0]));
    assert.equal(
      line.replace(/"Timestamp":\d+,/, '"Timestamp":T,'),
      '{"_aws":{"Timestamp":T,"CloudWatchMetrics":[{"Namespace":"S3EventRoutes","Dimensions":[["service","Target","Path"],' +
        '["service","Target"]],"Metrics":[{"Name":"DeliveryLag","Unit":"Milliseconds"}]}]},"service":"s3-event-routes",' +
        '"Target":"odd \\"name\\"","Path":"s3","DeliveryLag":7}',
    );
  });

  it("is switched off as Powertools Metrics was: POWERTOOLS_METRICS_DISABLED, else POWERTOOLS_DEV", async () => {
    const linesWith = async (variables: Record<string, string>) => {
      Object.assign(process.env, variables);
      try {
        const work = withDeliveryLag(async () => undefined, { env: { DELIVERY_LAG_TARGET: "t" } });
        return (await stdoutOf(() => work(parseS3Notifications(fixture("s3-put.json"))[0]))).length;
      } finally {
        for (const name of Object.keys(variables)) delete process.env[name];
      }
    };
    assert.deepStrictEqual(
      [
        await linesWith({ POWERTOOLS_METRICS_DISABLED: " TRUE " }),
        await linesWith({ POWERTOOLS_METRICS_DISABLED: "1" }),
        await linesWith({ POWERTOOLS_DEV: "yes" }),
        await linesWith({ POWERTOOLS_DEV: "true", POWERTOOLS_METRICS_DISABLED: "false" }),
        await linesWith({ POWERTOOLS_DEV: "maybe" }),
        await linesWith({ POWERTOOLS_METRICS_DISABLED: "off" }),
      ],
      [0, 0, 0, 1, 1, 1],
    );
    process.env.POWERTOOLS_METRICS_DISABLED = "maybe";
    try {
      assert.throws(() => withDeliveryLag(async () => undefined), {
        message: "Environment variable POWERTOOLS_METRICS_DISABLED must be a boolean",
      });
    } finally {
      delete process.env.POWERTOOLS_METRICS_DISABLED;
    }
  });

  it("computes the figure and its percentiles the same way for the local loop", () => {
    assert.equal(deliveryLagMs("2025-11-12T10:15:30.000Z", EVENT_TIME + 1_500), 1_500);
    assert.equal(deliveryLagMs("not a time", EVENT_TIME), undefined);
    const figures = [5, 1, 4, 2, 3, 100, 6, 7, 8, 9];
    assert.deepStrictEqual(
      [percentileOf(figures, 50), percentileOf(figures, 99), percentileOf([], 50)],
      [5, 100, undefined],
    );
  });
});
