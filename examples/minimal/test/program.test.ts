/**
 * The program under the package's offline mock engine (`s3-event-routes/testing`): no Pulumi CLI,
 * no AWS account. The engine is installed before the program is loaded; the program runs inside
 * `runProgram`, which records every registration with its exact inputs and dependencies.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleHandler, writeBundle } from "s3-event-routes";
import { installMockEngine, one, ofType, RecordedResource, runProgram } from "s3-event-routes/testing";

/** The program, loaded inside runProgram (after the engine is installed), as `pulumi up` would run it. */
const PROGRAM = join(__dirname, "..", "index");

const ACCOUNT = "123456789012";
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:thumbnails-mock`;

installMockEngine({ project: "example-minimal", stack: "test", accountId: ACCOUNT, region: "us-east-1" });

const names = (urns: string[]) => urns.map((urn) => urn.split("::").pop()).sort();

describe("examples/minimal", () => {
  let resources: RecordedResource[];
  let outputs: Record<string, unknown>;

  before(async () => {
    const run = await runProgram(() => import(PROGRAM));
    assert.deepEqual(
      run.errors.map((e) => e.message),
      [],
    );
    ({ resources, outputs } = run);
  });

  it("declares exactly one notification on the bucket, holding exactly the route's entry", () => {
    const notifications = ofType(resources, "aws:s3/bucketNotification:BucketNotification");
    assert.equal(notifications.length, 1);
    assert.deepEqual(notifications[0].inputs, {
      bucket: "photos-mock",
      lambdaFunctions: [
        {
          id: "new-photos",
          events: ["s3:ObjectCreated:*"],
          filterPrefix: "uploads/",
          filterSuffix: ".jpg",
          lambdaFunctionArn: FUNCTION_ARN,
        },
      ],
      queues: [],
      topics: [],
    });
  });

  it("lets only this bucket of this account invoke the function, and notifies only once that is allowed", () => {
    const permission = one(resources, "aws:lambda/permission:Permission", "thumbnails-from-photos");
    assert.deepEqual(permission.inputs, {
      action: "lambda:InvokeFunction",
      function: "thumbnails-mock",
      principal: "s3.amazonaws.com",
      sourceArn: "arn:aws:s3:::photos-mock",
      sourceAccount: ACCOUNT,
    });
    const notification = one(
      resources,
      "aws:s3/bucketNotification:BucketNotification",
      "photos-notification",
    );
    assert.ok(names(notification.dependencies).includes("thumbnails-from-photos"));
    assert.equal(ofType(resources, "aws:lambda/permission:Permission").length, 1);
  });

  it("grants the function exactly the writes under thumbnails/ and the reads under uploads/", () => {
    const policy = JSON.parse(
      one(resources, "aws:iam/rolePolicy:RolePolicy", "thumbnails-policy").inputs.policy as string,
    ) as { Statement: { Sid: string; Resource: unknown }[] };
    const bySid = Object.fromEntries(policy.Statement.map((s) => [s.Sid, s.Resource]));
    assert.equal(bySid.WriteThumbnails, "arn:aws:s3:::photos-mock/thumbnails/*");
    assert.equal(bySid.ReadPhotosNewphotos, "arn:aws:s3:::photos-mock/uploads/*");
  });

  it("deploys the packaged thumbnail handler, bundled from the installed package with sharp for Lambda", () => {
    const fn = one(resources, "aws:lambda/function:Function", "thumbnails");
    assert.equal(fn.inputs.handler, "index.handler");
    assert.equal(fn.inputs.runtime, "nodejs22.x");
    assert.deepEqual(fn.inputs.architectures, ["x86_64"]);
    const files = Object.keys((fn.inputs.code as { assets: Record<string, unknown> }).assets);
    for (const expected of [
      "index.js",
      "node_modules/sharp/package.json",
      "node_modules/@img/sharp-linux-x64/package.json",
    ]) {
      assert.ok(files.includes(expected), `${expected} is in the archive`);
    }
    assert.deepEqual(outputs, { bucketName: "photos-mock", functionName: "thumbnails-mock" });
  });

  it("the bundle starts in a fresh Node.js process and acknowledges S3's test event", async function () {
    if (process.platform !== "linux" || process.arch !== "x64") this.skip();
    const dir = mkdtempSync(join(tmpdir(), "example-minimal-bundle-"));
    try {
      await writeBundle(bundleHandler("thumbnail", { architecture: "x86_64" }), dir);
      const script =
        'require("./index.js").handler({ Service: "Amazon S3", Event: "s3:TestEvent", Time: "t", Bucket: "photos", ' +
        'RequestId: "r", HostId: "h" }, {}).then((r) => console.log(JSON.stringify(r)))';
      const out = execFileSync(process.execPath, ["-e", script], {
        cwd: dir,
        // The Lambda runtime provides @aws-sdk/*; here it comes from this example's node_modules.
        env: {
          PATH: process.env.PATH ?? "",
          NODE_PATH: join(__dirname, "..", "node_modules"),
          AWS_REGION: "us-east-1",
          POWERTOOLS_LOG_LEVEL: "SILENT",
          DEST_BUCKET: "photos",
        },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      assert.deepEqual(JSON.parse(out), { outcomes: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
