import { strict as assert } from "node:assert";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { parseReplicateConfig } from "../../handlers/replicate/config";
import { copySource, createReplicateProcessor, isReplica } from "../../handlers/replicate/replicate";
import type { S3ObjectEvent } from "../../handlers/shared/events";
import { RecordingLogger } from "./support/recordingLogger";
import { S3Harness, startS3rver } from "../../handlers/testing/s3rverHarness";

const event = (key: string, eventName: string, eTag?: string): S3ObjectEvent => ({
  source: "s3",
  region: "us-east-1",
  bucket: "source",
  key,
  eventName,
  eventTime: "2025-11-12T10:15:30.000Z",
  ...(eTag ? { eTag } : {}),
  sequencer: "0062E99A88DC407460",
});

describe("replicate: configuration", () => {
  it("reads the destination and defaults", () => {
    assert.deepStrictEqual(parseReplicateConfig({ DEST_BUCKET: "replica", SOURCE_PREFIX: "in/" }), {
      destBucket: "replica",
      destPrefix: "",
      sourceFilter: { prefix: "in/" },
      replicateDeletes: true,
    });
    assert.throws(() => parseReplicateConfig({ DEST_BUCKET: "replica", REPLICATE_DELETES: "yes" }), {
      message: 'replicate handler: REPLICATE_DELETES="yes" is not valid: expected "true" or "false".',
    });
  });

  it("refuses replicas written where the trigger would see them", () => {
    assert.throws(() => parseReplicateConfig({ SOURCE_PREFIX: "in/" }), {
      name: "ConfigError",
      message:
        'replicate handler: replicas would be written to the source bucket (DEST_BUCKET is unset) as prefix "in/", which ' +
        'the trigger (prefix "in/") also matches: every copy would be copied again. Set DEST_BUCKET to another bucket, ' +
        "or DEST_PREFIX so that replicas fall outside SOURCE_PREFIX.",
    });
    assert.throws(
      () => parseReplicateConfig({ DEST_BUCKET: "data", SOURCE_BUCKET: "data", DEST_PREFIX: "copy/" }),
      {
        message:
          'replicate handler: replicas would be written to bucket "data", which is SOURCE_BUCKET as prefix "copy/", which ' +
          "the trigger (the whole bucket) also matches: every copy would be copied again. Set DEST_BUCKET to another bucket, " +
          "or DEST_PREFIX so that replicas fall outside SOURCE_PREFIX.",
      },
    );
    assert.equal(parseReplicateConfig({ SOURCE_PREFIX: "in/", DEST_PREFIX: "out/" }).destPrefix, "out/");
  });

  it("encodes the copy source segment by segment and recognises replicas", () => {
    assert.equal(copySource("src", "raw photos/Été+1.jpg"), "src/raw%20photos/%C3%89t%C3%A9%2B1.jpg");
    assert.equal(
      copySource("src", "a.jpg", "3/L4kqtJl40Nr8X8gdRQBpUMLUo"),
      "src/a.jpg?versionId=3%2FL4kqtJl40Nr8X8gdRQBpUMLUo",
    );
    const config = parseReplicateConfig({ SOURCE_PREFIX: "in/", DEST_PREFIX: "out/" });
    assert.equal(isReplica(config, "b", "out/in/a.jpg"), true);
    assert.equal(isReplica(config, "b", "in/a.jpg"), false);
  });
});

describe("replicate: against s3rver", () => {
  let harness: S3Harness;
  const logger = new RecordingLogger();
  const config = parseReplicateConfig({ DEST_BUCKET: "replica", DEST_PREFIX: "mirror/" });
  let work: ReturnType<typeof createReplicateProcessor>;

  before(async () => {
    harness = await startS3rver(["source", "replica"]);
    work = createReplicateProcessor({ s3: harness.client, config, logger });
  });
  after(async () => harness.stop());

  const key = "reports/Q3 résumé.pdf";
  const replicaKey = `mirror/${key}`;

  it("copies a created object with its content type and user metadata", async () => {
    const put = await harness.client.send(
      new PutObjectCommand({
        Bucket: "source",
        Key: key,
        Body: "%PDF-1.7 quarterly",
        ContentType: "application/pdf",
        Metadata: { department: "finance" },
      }),
    );
    assert.deepStrictEqual(await work(event(key, "ObjectCreated:Put", put.ETag!.replace(/"/g, ""))), {
      status: "processed",
      reason: "copied",
      outputs: [`s3://replica/${replicaKey}`],
    });
    const copy = await harness.client.send(new GetObjectCommand({ Bucket: "replica", Key: replicaKey }));
    assert.deepStrictEqual(
      { body: await copy.Body!.transformToString(), contentType: copy.ContentType, metadata: copy.Metadata },
      { body: "%PDF-1.7 quarterly", contentType: "application/pdf", metadata: { department: "finance" } },
    );
  });

  it("does not delete the replica while the source exists (late or noncurrent-version delete)", async () => {
    assert.deepStrictEqual(await work(event(key, "ObjectRemoved:Delete")), {
      status: "skipped",
      reason: "the object exists again (re-created, or a noncurrent version was deleted); the replica stays",
    });
  });

  it("applies a delete once the source is gone, and a late create then does nothing", async () => {
    await harness.client.send(new DeleteObjectCommand({ Bucket: "source", Key: key }));
    assert.deepStrictEqual(await work(event(key, "ObjectRemoved:Delete")), {
      status: "processed",
      reason: "replica deleted",
      outputs: [`s3://replica/${replicaKey}`],
    });
    await assert.rejects(harness.client.send(new HeadObjectCommand({ Bucket: "replica", Key: replicaKey })), {
      name: "NotFound",
    });
    assert.deepStrictEqual(await work(event(key, "ObjectCreated:Put", "0123")), {
      status: "skipped",
      reason: "object gone (deleted since the event); its delete event removes the replica",
    });
  });

  it("skips its own replicas", async () => {
    assert.deepStrictEqual(await work({ ...event(replicaKey, "ObjectCreated:Copy"), bucket: "replica" }), {
      status: "skipped",
      reason: "the object is one of this handler's replicas",
    });
  });
});

describe("replicate: S3 failures (aws-sdk-client-mock)", () => {
  const s3 = new S3Client({ region: "us-east-1" });
  const s3Mock = mockClient(s3);
  after(() => s3Mock.restore());

  it("AccessDenied on the copy lists what to grant on both buckets", async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ETag: '"e1"', ContentLength: 3 });
    s3Mock.on(CopyObjectCommand).rejects(
      new S3ServiceException({
        name: "AccessDenied",
        $fault: "client",
        $metadata: { httpStatusCode: 403 },
        message: "Access Denied",
      }),
    );
    const work = createReplicateProcessor({
      s3,
      config: parseReplicateConfig({ DEST_BUCKET: "replica" }),
      logger: new RecordingLogger(),
    });
    await assert.rejects(work(event("a.txt", "ObjectCreated:Put", "e1")), {
      name: "S3OperationError",
      message:
        "s3:PutObject on s3://replica/a.txt was denied (AccessDenied). Grant the function's role s3:GetObject, " +
        "s3:GetObjectTagging (and s3:GetObjectVersion, s3:GetObjectVersionTagging for versioned sources) on " +
        "arn:aws:s3:::source/* and s3:PutObject, s3:PutObjectTagging on arn:aws:s3:::replica/* (and kms:Decrypt / " +
        "kms:GenerateDataKey on the bucket's key if it uses SSE-KMS).",
    });
  });
});
