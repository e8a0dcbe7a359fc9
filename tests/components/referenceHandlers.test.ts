import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { policyOf, run, runError } from "./harness";
import { one, RecordedAlias, RecordedResource } from "../../components/testing/mockEngine";
import {
  EventBucket,
  MetadataIndexHandler,
  metadataIndexHandler,
  QueueConsumerHandler,
  QueueTarget,
  queueConsumerHandler,
  ReplicationHandler,
  replicationHandler,
  ThumbnailHandler,
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

const T = {
  stack: "pulumi:pulumi:Stack",
  thumbnail: "s3-event-routes:handlers:ThumbnailHandler",
  metadata: "s3-event-routes:handlers:MetadataIndexHandler",
  replication: "s3-event-routes:handlers:ReplicationHandler",
  consumer: "s3-event-routes:handlers:QueueConsumerHandler",
  lambda: "s3-event-routes:index:LambdaTarget",
  table: "aws:dynamodb/table:Table",
  fn: "aws:lambda/function:Function",
};

/**
 * The URN the Pulumi engine gives `r` (`urn:pulumi:<stack>::<project>::<ancestor types, stack
 * excluded>$<type>::<name>`; the mock monitor names only the parent's type), or, with `aliased`,
 * the URN it matches against the previous deployment when resource `at` (`r` or an ancestor) takes
 * the alias: the engine applies a parent's aliases to its children.
 */
function engineUrn(
  resources: readonly RecordedResource[],
  r: RecordedResource,
  aliased?: { at: RecordedResource; alias: RecordedAlias },
): string {
  const byUrn = new Map(resources.map((x) => [x.urn, x]));
  const stack = resources.find((x) => x.type === T.stack)!;
  const types: string[] = [];
  let current: RecordedResource | undefined = r;
  while (current && current.type !== T.stack) {
    types.unshift(current.type);
    const parent: string | undefined =
      aliased && current === aliased.at
        ? aliased.alias.noParent
          ? undefined
          : aliased.alias.parentUrn
        : current.parent;
    current = parent === undefined ? undefined : byUrn.get(parent);
  }
  const [prefix, project] = stack.urn.split("::");
  return `${prefix}::${project}::${types.join("$")}::${r.name}`;
}

describe("reference handlers as components", function () {
  this.timeout(60_000);

  it("parent their function and tables, each aliased to the stack where the function helpers put them", async () => {
    const { resources } = await run(() => {
      const media = new EventBucket("media");
      new ThumbnailHandler("thumbs", { destination: { bucket: media }, idempotency: true });
      new MetadataIndexHandler("meta", { idempotency: true });
      new ReplicationHandler("rep", { destination: { bucket: media, prefix: "copies/" } });
      new QueueConsumerHandler("consumer");
    });
    const stack = resources.find((r) => r.type === T.stack)!;
    const was = (r: RecordedResource, at: RecordedResource) =>
      (at.aliases ?? []).map((alias) =>
        engineUrn(resources, r, { at, alias }).split("::").slice(2).join("::"),
      );

    for (const [type, name, tables] of [
      [T.thumbnail, "thumbs", ["thumbs-idempotency"]],
      [T.metadata, "meta", ["meta-index", "meta-idempotency"]],
      [T.replication, "rep", []],
      [T.consumer, "consumer", []],
    ] as const) {
      const handler = one(resources, type, name);
      const lambda = one(resources, T.lambda, name);
      const fn = one(resources, T.fn, name);

      assert.deepEqual([handler.parent, handler.aliases], [stack.urn, undefined]);
      assert.deepEqual([lambda.parent, lambda.aliases], [handler.urn, [{ noParent: true }]]);
      assert.equal(
        engineUrn(resources, fn).split("::").slice(2).join("::"),
        `${type}$${T.lambda}$${T.fn}::${name}`,
      );
      assert.deepEqual(was(lambda, lambda), [`${T.lambda}::${name}`]);
      assert.deepEqual(was(fn, lambda), [`${T.lambda}$${T.fn}::${name}`]);
      for (const t of tables) {
        const table = one(resources, T.table, t);
        assert.deepEqual([table.parent, table.aliases], [handler.urn, [{ noParent: true }]]);
        assert.deepEqual(was(table, table), [`${T.table}::${t}`]);
      }
    }
  });

  it("alias their children to the caller's parent when one is given", async () => {
    const { resources } = await run(() => {
      const group = new pulumi.ComponentResource("test:index:Group", "group");
      new MetadataIndexHandler("meta", {}, { parent: group });
    });
    const group = one(resources, "test:index:Group", "group");
    const handler = one(resources, T.metadata, "meta");
    const lambda = one(resources, T.lambda, "meta");
    const index = one(resources, T.table, "meta-index");
    const fn = one(resources, T.fn, "meta");
    const was = (r: RecordedResource, at: RecordedResource) =>
      engineUrn(resources, r, { at, alias: at.aliases![0] }).split("::").slice(2).join("::");

    assert.deepEqual([handler.parent, handler.aliases], [group.urn, undefined]);
    assert.deepEqual([lambda.parent, lambda.aliases], [handler.urn, [{ parentUrn: group.urn }]]);
    assert.deepEqual([index.parent, index.aliases], [handler.urn, [{ parentUrn: group.urn }]]);
    assert.deepEqual(
      [was(lambda, lambda), was(fn, lambda), was(index, index)],
      [
        `test:index:Group$${T.lambda}::meta`,
        `test:index:Group$${T.lambda}$${T.fn}::meta`,
        `test:index:Group$${T.table}::meta-index`,
      ],
    );
  });

  it("pass the component's protect on to every stateful child, tables included", async () => {
    const { resources } = await run(() => {
      new MetadataIndexHandler("meta", { idempotency: true }, { protect: true });
    });

    assert.deepEqual(
      [T.table, T.fn, "aws:cloudwatch/logGroup:LogGroup"].flatMap((type) =>
        resources.filter((r) => r.type === type).map((r) => [r.name, r.protect]),
      ),
      [
        ["meta-index", true],
        ["meta-idempotency", true],
        ["meta", true],
        ["meta-logs", true],
      ],
    );
  });

  it("keep the function helpers working: each returns its component", async () => {
    const made: unknown[] = [];
    const { resources } = await run(() => {
      const media = new EventBucket("media");
      made.push(
        thumbnailHandler("thumbs", { destination: { bucket: media } }),
        metadataIndexHandler("meta"),
        replicationHandler("rep", { destination: { bucket: media, prefix: "copies/" } }),
        queueConsumerHandler("consumer"),
      );
    });

    assert.deepEqual(
      made.map((m) => m?.constructor.name),
      ["ThumbnailHandler", "MetadataIndexHandler", "ReplicationHandler", "QueueConsumerHandler"],
    );
    assert.deepEqual(
      resources.filter((r) => r.type.startsWith("s3-event-routes:handlers:")).map((r) => [r.type, r.name]),
      [
        [T.thumbnail, "thumbs"],
        [T.metadata, "meta"],
        [T.replication, "rep"],
        [T.consumer, "consumer"],
      ],
    );
  });
});
