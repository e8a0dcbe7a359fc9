/**
 * The program under the package's offline mock engine, and what its install holds: a program with no
 * reference handler needs none of the packages that bundle one (esbuild, sharp, exifr and Powertools
 * are optional peers of the package), and asking for a handler without them fails with the
 * command that installs them.
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { queueConsumerHandler } from "s3-event-routes";
import { installMockEngine, ofType, one, RecordedResource, runProgram } from "s3-event-routes/testing";

/** The program, loaded inside runProgram (after the engine is installed), as `pulumi up` would run it. */
const PROGRAM = join(__dirname, "..", "index");
const PROJECT_DIR = join(__dirname, "..");
const PROJECT = "example-queue-and-topic";
const ACCOUNT = "123456789012";

const BUNDLING_PACKAGES = [
  "esbuild",
  "@aws-lambda-powertools/batch",
  "@aws-lambda-powertools/idempotency",
  "@aws-lambda-powertools/logger",
];

installMockEngine({
  project: PROJECT,
  stack: "test",
  accountId: ACCOUNT,
  region: "us-east-1",
  config: { [`${PROJECT}:alertEmail`]: "ops@example.com" },
});

describe("examples/queue-and-topic", () => {
  let resources: RecordedResource[];

  before(async () => {
    const run = await runProgram(() => import(PROGRAM));
    assert.deepEqual(
      run.errors.map((e) => e.message),
      [],
    );
    resources = run.resources;
  });

  it("declares one notification: new orders to the queue, deletions to the topic", () => {
    const notifications = ofType(resources, "aws:s3/bucketNotification:BucketNotification");
    assert.equal(notifications.length, 1);
    assert.deepEqual(notifications[0].inputs, {
      bucket: "orders-mock",
      lambdaFunctions: [],
      queues: [
        {
          id: "new-orders",
          events: ["s3:ObjectCreated:Put"],
          filterPrefix: "orders/",
          filterSuffix: ".json",
          queueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:orders-mock`,
        },
      ],
      topics: [
        {
          id: "deletions",
          events: ["s3:ObjectRemoved:*"],
          topicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:deletions-mock`,
        },
      ],
    });
    assert.equal(ofType(resources, "aws:lambda/function:Function").length, 0);
    assert.equal(
      one(resources, "aws:sns/topicSubscription:TopicSubscription", "deletions-sub-1").inputs.endpoint,
      "ops@example.com",
    );
  });

  it("installs none of the packages that bundle a reference handler", () => {
    for (const pkg of [...BUNDLING_PACKAGES, "sharp", "@img", "exifr"]) {
      assert.equal(existsSync(join(PROJECT_DIR, "node_modules", pkg)), false, `${pkg} is not installed`);
      assert.throws(() => require.resolve(pkg, { paths: [PROJECT_DIR] }), { code: "MODULE_NOT_FOUND" });
    }
  });

  it("refuses a reference handler without them, naming each and the command that installs them", () => {
    const peers = (
      JSON.parse(
        readFileSync(join(PROJECT_DIR, "node_modules", "s3-event-routes", "package.json"), "utf8"),
      ) as {
        peerDependencies: Record<string, string>;
      }
    ).peerDependencies;
    assert.throws(() => queueConsumerHandler("consumer"), {
      message:
        'queueConsumerHandler "consumer": the queue-consumer reference handler is bundled when the program runs and ' +
        `needs ${BUNDLING_PACKAGES.join(", ")}, which are not installed (optional peer dependencies of ` +
        "s3-event-routes, left out for programs without reference handlers). Install them with: npm install " +
        BUNDLING_PACKAGES.map((pkg) => `${pkg}@${peers[pkg]}`).join(" "),
    });
  });
});
