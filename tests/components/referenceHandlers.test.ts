import { strict as assert } from "node:assert";
import { policyOf, run, runError } from "./harness";
import { one, RecordedResource } from "../../components/testing/mockEngine";
import {
  EventBucket,
  metadataIndexHandler,
  QueueTarget,
  queueConsumerHandler,
  replicationHandler,
  thumbnailHandler,
} from "../../components";

const ACCOUNT = "123456789012";
const statements = (r: RecordedResource[], fn: string) =>
  policyOf(one(r, "aws:iam/rolePolicy:RolePolicy", `${fn}-policy`)).Statement;

describe("reference handlers as targets", function () {
  this.timeout(60_000);

  it("deploys the thumbnail handler from its bundle, writing only under its prefix", async () => {
    const { resources } = await run(() => {
      const media = new EventBucket("media");
      const thumbs = thumbnailHandler("thumbs", {
        destination: { bucket: media, prefix: "thumbnails/" },
        sizes: [64, 256],
        idempotency: true,
      });
      media.addRoute({
        name: "jpg",
        events: ["created"],
        filter: { prefix: "images/", suffix: ".jpg" },
        target: thumbs.target,
      });
    });
    const fn = one(resources, "aws:lambda/function:Function", "thumbs");
    assert.equal(fn.inputs.handler, "index.handler");
    assert.equal(fn.inputs.runtime, "nodejs22.x");
    assert.deepEqual(fn.inputs.architectures, ["x86_64"]);
    assert.equal(fn.inputs.memorySize, 1024);
    assert.equal(fn.inputs.timeout, 60);
    assert.deepEqual(fn.inputs.environment, {
      variables: {
        DEST_BUCKET: "media-mock",
        DEST_PREFIX: "thumbnails/",
        THUMBNAIL_SIZES: "64,256",
        THUMBNAIL_FORMAT: "webp",
        IDEMPOTENCY_TABLE: "thumbs-idempotency",
        DELIVERY_LAG_TARGET: "thumbs",
      },
    });
    const code = fn.inputs.code as { assets: Record<string, unknown> };
    assert.ok(code.assets["index.js"], "the archive holds the bundle");
    assert.ok(
      Object.keys(code.assets).some((k) => k.startsWith("node_modules/@img/sharp-linux-x64")),
      "the archive holds sharp for x86_64",
    );
    const s = statements(resources, "thumbs");
    assert.deepEqual(
      s.find((x) => x.Sid === "WriteThumbs"),
      {
        Sid: "WriteThumbs",
        Effect: "Allow",
        Action: ["s3:PutObject"],
        Resource: "arn:aws:s3:::media-mock/thumbnails/*",
      },
    );
    assert.deepEqual(
      s.find((x) => x.Sid === "Idempotency"),
      {
        Sid: "Idempotency",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
        Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/thumbs-idempotency`,
      },
    );
    const table = one(resources, "aws:dynamodb/table:Table", "thumbs-idempotency");
    assert.deepEqual(
      [table.inputs.hashKey, table.inputs.ttl, table.inputs.billingMode],
      ["id", { attributeName: "expiration", enabled: true }, "PAY_PER_REQUEST"],
    );
  });

  it("refuses a thumbnail route that would trigger on its own output", async () => {
    assert.equal(
      await runError(() => {
        const media = new EventBucket("media");
        const thumbs = thumbnailHandler("thumbs", {
          destination: { bucket: media, prefix: "images/small/" },
        });
        media.addRoute({
          name: "all-images",
          events: ["created"],
          filter: { prefix: "images/" },
          target: thumbs.target,
        });
      }),
      'Bucket "media", route "all-images": its target lambda "thumbs" writes objects (prefix "images/small/") into this bucket that the route itself is notified of (prefix "images/"), so it would invoke itself forever. Write to another bucket or to a prefix outside the route\'s filter, or narrow the route\'s filter.',
    );
  });

  it("gives the metadata handler its index table and only PutItem/GetItem on it", async () => {
    const { resources } = await run(() => {
      const docs = new EventBucket("docs");
      const meta = metadataIndexHandler("meta");
      docs.addRoute({
        name: "index",
        events: ["created", "removed"],
        filter: { prefix: "docs/" },
        target: meta.target,
      });
    });
    const fn = one(resources, "aws:lambda/function:Function", "meta");
    assert.deepEqual(fn.inputs.environment, {
      variables: { TABLE_NAME: "meta-index", TOMBSTONE_TTL_DAYS: "30", DELIVERY_LAG_TARGET: "meta" },
    });
    assert.deepEqual(
      statements(resources, "meta").find((x) => x.Sid === "WriteIndex"),
      {
        Sid: "WriteIndex",
        Effect: "Allow",
        Action: ["dynamodb:PutItem", "dynamodb:GetItem"],
        Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/meta-index`,
      },
    );
    assert.deepEqual(one(resources, "aws:dynamodb/table:Table", "meta-index").inputs.ttl, {
      attributeName: "expiresAt",
      enabled: true,
    });
  });

  it("lets the replication handler write and delete under the replica prefix only", async () => {
    const { resources } = await run(() => {
      const source = new EventBucket("source");
      const replica = new EventBucket("replica");
      const rep = replicationHandler("rep", { destination: { bucket: replica, prefix: "mirror/" } });
      source.addRoute({
        name: "mirror",
        events: ["created", "removed"],
        filter: { prefix: "exports/" },
        target: rep.target,
      });
    });
    assert.deepEqual(
      statements(resources, "rep").find((x) => x.Sid === "ReplicateRep"),
      {
        Sid: "ReplicateRep",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject"],
        Resource: "arn:aws:s3:::replica-mock/mirror/*",
      },
    );
    assert.deepEqual(one(resources, "aws:lambda/function:Function", "rep").inputs.environment, {
      variables: {
        DEST_BUCKET: "replica-mock",
        DEST_PREFIX: "mirror/",
        REPLICATE_DELETES: "true",
        DELIVERY_LAG_TARGET: "rep",
      },
    });
  });

  it("wires the queue consumer with partial batch responses and a 6x visibility timeout", async () => {
    const { resources } = await run(() => {
      const consumer = queueConsumerHandler("analyst", { timeoutSeconds: 45 });
      new QueueTarget("work", { consumer: { function: consumer.target } });
    });
    assert.equal(one(resources, "aws:sqs/queue:Queue", "work").inputs.visibilityTimeoutSeconds, 270);
    assert.deepEqual(one(resources, "aws:lambda/function:Function", "analyst").inputs.environment, {
      variables: { DELIVERY_LAG_TARGET: "analyst" },
    });
    assert.deepEqual(
      one(resources, "aws:lambda/eventSourceMapping:EventSourceMapping", "work-consumer").inputs
        .functionResponseTypes,
      ["ReportBatchItemFailures"],
    );
  });
});
