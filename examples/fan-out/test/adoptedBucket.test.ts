/**
 * The same routes on a bucket this stack does not own (`existing`): its notification is a
 * SharedBucketNotification, a Pulumi dynamic resource whose provider Pulumi serializes into the
 * state and later loads in a separate process. From an installed package, that only works when
 * every module the provider captures is reachable through the package's `exports`.
 */
import { strict as assert } from "node:assert";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EventBucket, QueueTarget } from "s3-event-routes";
import { ofType, RecordedResource, runProgram } from "s3-event-routes/testing";
import { ACCOUNT, PROJECT } from "./engine";

describe("examples/fan-out on an adopted bucket", () => {
  let resources: RecordedResource[];

  before(async () => {
    const run = await runProgram(() => {
      const audit = new QueueTarget("audit");
      new EventBucket("legacy", {
        existing: { bucketName: "legacy-uploads" },
        routes: [{ name: "audit", events: ["created"], filter: { prefix: "incoming/" }, target: audit }],
      });
    });
    assert.deepEqual(
      run.errors.map((e) => e.message),
      [],
    );
    resources = run.resources;
  });

  it("adds this stack's entry next to the bucket's others instead of replacing the configuration", () => {
    assert.equal(ofType(resources, "aws:s3/bucketNotification:BucketNotification").length, 0);
    const shared = ofType(resources, "pulumi-nodejs:dynamic:Resource");
    assert.deepEqual(
      shared.map((r) => r.name),
      ["legacy-notification"],
    );
    const { __provider, ...inputs } = shared[0].inputs;
    assert.equal(typeof __provider, "string");
    assert.deepEqual(inputs, {
      bucket: "legacy-uploads",
      region: "us-east-1",
      namespace: `pulumi:organization:${PROJECT}:test`,
      eventbridge: false,
      lambdaFunctions: [],
      queues: [
        {
          id: `pulumi:organization:${PROJECT}:test:audit`,
          events: ["s3:ObjectCreated:*"],
          filterPrefix: "incoming/",
          queueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:audit-mock`,
        },
      ],
      topics: [],
    });
  });

  it("serializes a provider that loads from this project's node_modules, as Pulumi's provider host loads it", async () => {
    const serialized = ofType(resources, "pulumi-nodejs:dynamic:Resource")[0].inputs.__provider as string;
    assert.match(serialized, /require\("s3-event-routes\/internal\/notificationMerge"\)/);
    const file = join(__dirname, `.serialized-provider-${process.pid}.js`);
    writeFileSync(file, serialized);
    try {
      const loaded = (await import(file)) as { handler(): Record<string, unknown> };
      const provider = loaded.handler();
      assert.deepEqual(
        ["check", "diff", "create", "read", "update", "delete"].map((method) => typeof provider[method]),
        Array(6).fill("function"),
      );
    } finally {
      rmSync(file, { force: true });
    }
  });
});
