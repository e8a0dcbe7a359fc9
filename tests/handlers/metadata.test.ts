import { strict as assert } from "node:assert";
import { DynamoDBClient, DynamoDBServiceException } from "@aws-sdk/client-dynamodb";
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import sharp from "sharp";
import { parseMetadataConfig } from "../../handlers/metadata/config";
import { createMetadataProcessor } from "../../handlers/metadata/metadata";
import { S3ObjectEvent, sequencerSortKey } from "../../handlers/shared/events";
import { memoryIndexTable, MemoryIndexTable } from "../../handlers/testing/memoryTables";
import { RecordingLogger } from "./support/recordingLogger";
import { countCommands, S3Harness, startS3rver } from "../../handlers/testing/s3rverHarness";

const NOW = new Date("2025-11-12T10:16:00.000Z");
const CONFIG = parseMetadataConfig({ TABLE_NAME: "object-index" });

const created = (key: string, sequencer: string, eTag?: string): S3ObjectEvent => ({
  source: "sqs",
  messageId: "m-1",
  region: "us-east-1",
  bucket: "photos",
  key,
  eventName: "ObjectCreated:Put",
  eventTime: "2025-11-12T10:15:30.000Z",
  size: 1,
  ...(eTag ? { eTag } : {}),
  sequencer,
});
const deleted = (key: string, sequencer: string): S3ObjectEvent => ({
  source: "sqs",
  region: "us-east-1",
  bucket: "photos",
  key,
  eventName: "ObjectRemoved:Delete",
  eventTime: "2025-11-12T10:15:40.000Z",
  sequencer,
});

describe("metadata: configuration", () => {
  it("requires TABLE_NAME and reads defaults", () => {
    assert.throws(() => parseMetadataConfig({}), {
      name: "ConfigError",
      message: 'metadata handler: TABLE_NAME is not set. Set it, for example TABLE_NAME="s3-object-index".',
    });
    assert.deepStrictEqual(CONFIG, { tableName: "object-index", tombstoneTtlDays: 30, headerBytes: 262_144 });
    assert.throws(() => parseMetadataConfig({ TABLE_NAME: "t", TOMBSTONE_TTL_DAYS: "0" }), {
      message:
        'metadata handler: TOMBSTONE_TTL_DAYS="0" is not valid: expected a whole number from 1 to 3650.',
    });
  });
});

describe("metadata: index against s3rver, DynamoDB in memory", () => {
  let harness: S3Harness;
  let documents: DynamoDBDocumentClient;
  let table: MemoryIndexTable;
  const logger = new RecordingLogger();
  let work: (event: S3ObjectEvent) => ReturnType<ReturnType<typeof createMetadataProcessor>>;

  before(async () => {
    harness = await startS3rver(["photos"]);
    documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
    table = memoryIndexTable(documents);
    work = createMetadataProcessor({ s3: harness.client, documents, config: CONFIG, logger, now: () => NOW });
  });
  after(async () => {
    table.restore();
    await harness.stop();
  });

  const upload = async (
    key: string,
    body: Buffer,
    contentType: string,
    metadata?: Record<string, string>,
  ) => {
    await harness.client.send(
      new PutObjectCommand({
        Bucket: "photos",
        Key: key,
        Body: body,
        ContentType: contentType,
        Metadata: metadata,
      }),
    );
    return harness.client.send(new HeadObjectCommand({ Bucket: "photos", Key: key }));
  };

  const key = "raw photos/Été à Paris.jpg";
  const pk = `s3://photos/${key}`;

  it("indexes a JPEG: content type, size, ETag, user metadata, dimensions and EXIF", async () => {
    const jpeg = await sharp({ create: { width: 1200, height: 800, channels: 3, background: "#c81e1e" } })
      .withExif({ IFD0: { Make: "TestCam", Model: "T-1" } })
      .jpeg()
      .toBuffer();
    const head = await upload(key, jpeg, "image/jpeg", { "camera-owner": "ana" });
    const outcome = await work(created(key, "0062E99A88DC407460"));
    assert.deepStrictEqual(outcome, { status: "processed", reason: "index entry written", outputs: [pk] });
    assert.deepStrictEqual(table.items.get(pk), {
      pk,
      bucket: "photos",
      key,
      sequencer: "0062E99A88DC407460",
      sequencerSortKey: sequencerSortKey("0062E99A88DC407460"),
      eventName: "ObjectCreated:Put",
      eventTime: "2025-11-12T10:15:30.000Z",
      indexedAt: "2025-11-12T10:16:00.000Z",
      state: "present",
      size: jpeg.length,
      userMetadata: { "camera-owner": "ana" },
      eTag: head.ETag!.replace(/"/g, ""),
      contentType: "image/jpeg",
      lastModified: head.LastModified!.toISOString(),
      image: { width: 1200, height: 800, format: "jpeg", orientation: 1 },
      exif: { Make: "TestCam", Model: "T-1", Orientation: 1 },
    });
  });

  it("refuses the same event twice: the second is a duplicate, the item is unchanged", async () => {
    const before = structuredClone(table.items.get(pk));
    assert.deepStrictEqual(await work(created(key, "0062E99A88DC407460")), {
      status: "skipped",
      reason: "stale or duplicate event: the index already holds this change or a newer one",
    });
    assert.deepStrictEqual(table.items.get(pk), before);
  });

  it("a delete replaces the record with a tombstone that expires after TOMBSTONE_TTL_DAYS", async () => {
    await harness.client.send(new DeleteObjectCommand({ Bucket: "photos", Key: key }));
    assert.deepStrictEqual(await work(deleted(key, "0062E99A88DC4074A0")), {
      status: "processed",
      reason: "tombstone written",
      outputs: [pk],
    });
    assert.deepStrictEqual(table.items.get(pk), {
      pk,
      bucket: "photos",
      key,
      sequencer: "0062E99A88DC4074A0",
      sequencerSortKey: sequencerSortKey("0062E99A88DC4074A0"),
      eventName: "ObjectRemoved:Delete",
      eventTime: "2025-11-12T10:15:40.000Z",
      indexedAt: "2025-11-12T10:16:00.000Z",
      state: "deleted",
      expiresAt: Math.floor(NOW.getTime() / 1000) + 30 * 86400,
    });
  });

  it("an older create arriving after the delete does not bring the record back", async () => {
    assert.deepStrictEqual(await work(created(key, "0062E99A88DC407480")), {
      status: "skipped",
      reason: "stale or duplicate event: the index already holds this change or a newer one",
    });
    assert.equal(table.items.get(pk)?.state, "deleted");
    assert.equal(table.items.get(pk)?.sequencer, "0062E99A88DC4074A0");
  });

  it("an older delete arriving after a newer create leaves the live record", async () => {
    const other = "docs/notes.txt";
    await upload(other, Buffer.from("plain text"), "text/plain");
    assert.equal((await work(created(other, "0062E99A88DC4075"))).reason, "index entry written");
    assert.equal((await work(deleted(other, "0062E99A88DC4074FF"))).status, "skipped");
    const item = table.items.get(`s3://photos/${other}`);
    assert.equal(item?.state, "present");
    assert.equal(item?.contentType, "text/plain");
    assert.equal("image" in (item ?? {}), false, "a text file has no image fields");
  });

  it("indexes a zero-byte object without reading it", async () => {
    await upload("empty/placeholder.png", Buffer.alloc(0), "image/png");
    const counts = countCommands(harness.client);
    assert.equal(
      (await work(created("empty/placeholder.png", "0062E99A88DC4076"))).reason,
      "index entry written",
    );
    assert.equal(table.items.get("s3://photos/empty/placeholder.png")?.size, 0);
    assert.equal(counts.get("GetObjectCommand"), undefined);
    assert.equal(counts.get("HeadObjectCommand"), 1);
  });

  it("skips events that change neither content nor existence, and refuses events without a sequencer", async () => {
    assert.deepStrictEqual(await work({ ...created(key, "00"), eventName: "ObjectTagging:Put" }), {
      status: "skipped",
      reason: "not indexed: ObjectTagging:Put changes neither content nor existence",
    });
    const { sequencer: _omitted, ...noSequencer } = created(key, "00");
    await assert.rejects(work(noSequencer), {
      message:
        "metadata handler: ObjectCreated:Put for s3://photos/raw photos/Été à Paris.jpg carries no sequencer, so its order " +
        "against other events on the key is unknown. S3 always sends one on creates and deletes; check what produced this event.",
    });
  });
});

describe("metadata: DynamoDB failures (aws-sdk-client-mock)", () => {
  it("names the table and the permission when the write is denied", async () => {
    const harness = await startS3rver(["photos"]);
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
    const mock = mockClient(documents);
    mock.on(PutCommand).rejects(
      new DynamoDBServiceException({
        name: "AccessDeniedException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
        message: "User is not authorized to perform: dynamodb:PutItem",
      }),
    );
    try {
      await harness.client.send(
        new PutObjectCommand({ Bucket: "photos", Key: "a.txt", Body: "x", ContentType: "text/plain" }),
      );
      const work = createMetadataProcessor({
        s3: harness.client,
        documents,
        config: CONFIG,
        logger: new RecordingLogger(),
      });
      await assert.rejects(work(created("a.txt", "01")), {
        message:
          'metadata handler: dynamodb:PutItem on table "object-index" failed for s3://photos/a.txt (AccessDeniedException: ' +
          "User is not authorized to perform: dynamodb:PutItem). The role needs dynamodb:PutItem on the table.",
      });
    } finally {
      mock.restore();
      await harness.stop();
    }
  });
});
