import { strict as assert } from "node:assert";
import { Readable } from "node:stream";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  GetObjectCommand,
  GetObjectCommandOutput,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import sharp from "sharp";
import { makeObjectIdempotent } from "../../handlers/shared/idempotency";
import { createObjectHandler, DirectResult } from "../../handlers/shared/objectHandler";
import { S3OperationError } from "../../handlers/shared/s3Errors";
import { parseThumbnailConfig, ThumbnailConfig } from "../../handlers/thumbnail/config";
import { createThumbnailProcessor, isOwnOutput, thumbnailKey } from "../../handlers/thumbnail/thumbnails";
import { lambdaContext, s3Event, sqsRecord } from "./support/events";
import { memoryIdempotencyTable } from "../../handlers/testing/memoryTables";
import { RecordingLogger } from "./support/recordingLogger";
import { countCommands, S3Harness, startS3rver } from "../../handlers/testing/s3rverHarness";

const CONFIG: ThumbnailConfig = parseThumbnailConfig({
  DEST_BUCKET: "thumbs",
  SOURCE_BUCKET: "photos",
  DEST_PREFIX: "thumbnails/",
  THUMBNAIL_SIZES: "128,512",
  THUMBNAIL_FORMAT: "webp",
});

const jpeg = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .toBuffer();
const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 4, background: { r: 0, g: 128, b: 255, alpha: 0.5 } } })
    .png()
    .toBuffer();

const baseEvent = {
  source: "s3" as const,
  region: "us-east-1",
  bucket: "photos",
  key: "",
  eventName: "ObjectCreated:Put",
  eventTime: "2025-11-12T10:15:30.000Z",
  size: 5,
  sequencer: "0055AED6DCD90281E5",
} as const;

const bodyOf = (data: Buffer) => Readable.from([data]) as unknown as GetObjectCommandOutput["Body"];

const slowDown = () =>
  new S3ServiceException({
    name: "SlowDown",
    $fault: "server",
    $metadata: { httpStatusCode: 503 },
    message: "Please reduce your request rate.",
  });
const accessDenied = () =>
  new S3ServiceException({
    name: "AccessDenied",
    $fault: "client",
    $metadata: { httpStatusCode: 403 },
    message: "Access Denied",
  });

describe("thumbnail: configuration", () => {
  it("reads defaults and lists", () => {
    assert.deepStrictEqual(parseThumbnailConfig({ DEST_BUCKET: "thumbs" }), {
      sizes: [128, 512],
      format: "webp",
      destBucket: "thumbs",
      destPrefix: "thumbnails/",
      sourceFilter: {},
      maxInputPixels: 40_000_000,
      maxInputBytes: 52_428_800,
    });
    assert.deepStrictEqual(
      parseThumbnailConfig({
        DEST_BUCKET: "thumbs",
        THUMBNAIL_SIZES: " 64, 256 ,64",
        THUMBNAIL_FORMAT: "jpeg",
      }).sizes,
      [64, 256],
    );
  });

  it("names the variable, the value and an example when a value is invalid", () => {
    assert.throws(() => parseThumbnailConfig({ DEST_BUCKET: "thumbs", THUMBNAIL_SIZES: "128,big" }), {
      message:
        'thumbnail handler: THUMBNAIL_SIZES="128,big" is not valid: expected a comma-separated list of whole numbers ' +
        'from 16 to 4096, for example THUMBNAIL_SIZES="128,512".',
    });
    assert.throws(() => parseThumbnailConfig({ DEST_BUCKET: "thumbs", THUMBNAIL_FORMAT: "gif" }), {
      message:
        'thumbnail handler: THUMBNAIL_FORMAT="gif" is not valid: expected one of "webp", "jpeg", "png".',
    });
    assert.throws(() => parseThumbnailConfig({ DEST_BUCKET: "arn:aws:s3:::thumbs" }), {
      message:
        'thumbnail handler: DEST_BUCKET="arn:aws:s3:::thumbs" is not valid: expected an S3 bucket name ' +
        "(3-63 lower-case letters, digits, dots and hyphens), not an ARN or URL.",
    });
  });

  it("refuses thumbnails written where the trigger would see them", () => {
    assert.throws(() => parseThumbnailConfig({ SOURCE_PREFIX: "photos/", DEST_PREFIX: "photos/thumbs/" }), {
      message:
        "thumbnail handler: thumbnails would be written to the source bucket (DEST_BUCKET is unset) as " +
        'prefix "photos/thumbs/" + suffix ".webp", which the trigger (prefix "photos/") also matches: every thumbnail ' +
        "would invoke the handler again. Set DEST_BUCKET to another bucket, or DEST_PREFIX to a prefix SOURCE_PREFIX does " +
        "not cover, or SOURCE_SUFFIX to a suffix thumbnails do not end with.",
    });
    assert.throws(() => parseThumbnailConfig({ DEST_BUCKET: "photos", SOURCE_BUCKET: "photos" }), {
      message:
        'thumbnail handler: thumbnails would be written to bucket "photos", which is SOURCE_BUCKET as ' +
        'prefix "thumbnails/" + suffix ".webp", which the trigger (the whole bucket) also matches: every thumbnail ' +
        "would invoke the handler again. Set DEST_BUCKET to another bucket, or DEST_PREFIX to a prefix SOURCE_PREFIX does " +
        "not cover, or SOURCE_SUFFIX to a suffix thumbnails do not end with.",
    });
  });

  it("accepts the same bucket when prefixes or suffixes keep outputs out of the trigger", () => {
    assert.equal(
      parseThumbnailConfig({ SOURCE_PREFIX: "uploads/", DEST_PREFIX: "thumbnails/" }).destBucket,
      undefined,
    );
    assert.equal(parseThumbnailConfig({ SOURCE_SUFFIX: ".jpg", DEST_PREFIX: "" }).destPrefix, "thumbnails/");
  });

  it("refuses at cold start: importing the entry point with a self-triggering environment throws", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      POWERTOOLS_LOG_LEVEL: "SILENT",
      SOURCE_PREFIX: "",
      DEST_PREFIX: "thumbnails/",
    });
    delete process.env.DEST_BUCKET;
    const entry = require.resolve("../../handlers/thumbnail/index");
    delete require.cache[entry];
    try {
      await assert.rejects(import(entry), {
        name: "ConfigError",
        message:
          "thumbnail handler: thumbnails would be written to the source bucket (DEST_BUCKET is unset) as " +
          'prefix "thumbnails/" + suffix ".webp", which the trigger (the whole bucket) also matches: every thumbnail ' +
          "would invoke the handler again. Set DEST_BUCKET to another bucket, or DEST_PREFIX to a prefix SOURCE_PREFIX " +
          "does not cover, or SOURCE_SUFFIX to a suffix thumbnails do not end with.",
      });
    } finally {
      delete require.cache[entry];
      process.env = saved;
    }
  });

  it("names outputs after the source and recognises them", () => {
    assert.equal(thumbnailKey(CONFIG, "raw photos/Été.jpg", 128), "thumbnails/raw photos/Été-128.webp");
    assert.equal(thumbnailKey(CONFIG, "a.b/noext", 512), "thumbnails/a.b/noext-512.webp");
    assert.equal(isOwnOutput(CONFIG, "thumbs", "thumbnails/raw photos/Été-128.webp"), true);
    assert.equal(isOwnOutput(CONFIG, "photos", "thumbnails/raw photos/Été-128.webp"), false);
    assert.equal(isOwnOutput(CONFIG, "thumbs", "thumbnails/raw photos/Été-100.webp"), false);
  });
});

describe("thumbnail: S3 failures (aws-sdk-client-mock)", () => {
  const s3 = new S3Client({ region: "us-east-1" });
  const s3Mock = mockClient(s3);
  const logger = new RecordingLogger();
  const work = createThumbnailProcessor({ s3, config: CONFIG, logger });
  const event = {
    source: "s3" as const,
    region: "us-east-1",
    bucket: "photos",
    key: "a/b.jpg",
    eventName: "ObjectCreated:Put",
    eventTime: "2025-11-12T10:15:30.000Z",
    size: 1000,
    eTag: "abc",
    sequencer: "0055AED6DCD90281E5",
  };

  afterEach(() => s3Mock.reset());
  after(() => s3Mock.restore());

  it("throttling: fails the event as retryable with an exact message", async () => {
    s3Mock.on(GetObjectCommand).rejects(slowDown());
    await assert.rejects(work(event), (error: Error) => {
      assert.ok(error instanceof S3OperationError);
      assert.equal(error.retryable, true);
      assert.equal(
        error.message,
        "s3:GetObject on s3://photos/a/b.jpg was throttled or failed on S3's side (SlowDown); the event fails so that " +
          "it is delivered again (SQS redrive or Lambda's asynchronous retries).",
      );
      return true;
    });
  });

  it("AccessDenied: fails with the permission to grant", async () => {
    s3Mock.on(GetObjectCommand).rejects(accessDenied());
    await assert.rejects(work(event), (error: Error) => {
      assert.ok(error instanceof S3OperationError);
      assert.equal(error.retryable, false);
      assert.equal(
        error.message,
        "s3:GetObject on s3://photos/a/b.jpg was denied (AccessDenied). Grant the function's role s3:GetObject on " +
          "arn:aws:s3:::photos/* (and kms:Decrypt / kms:GenerateDataKey on the bucket's key if it uses SSE-KMS). " +
          "Without s3:ListBucket on arn:aws:s3:::photos, S3 also answers 403 for a key that does not exist.",
      );
      return true;
    });
  });

  it("AccessDenied on the write names s3:PutObject on the destination", async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: bodyOf(await jpeg(300, 200)), ETag: '"abc"' });
    s3Mock.on(PutObjectCommand).rejects(accessDenied());
    await assert.rejects(work(event), {
      name: "S3OperationError",
      message:
        "s3:PutObject on s3://thumbs/thumbnails/a/b-128.webp was denied (AccessDenied). Grant the function's role " +
        "s3:PutObject on arn:aws:s3:::thumbs/* (and kms:Decrypt / kms:GenerateDataKey on the bucket's key if it uses SSE-KMS).",
    });
  });

  it("NoSuchKey: the object is gone, the event is acknowledged", async () => {
    s3Mock
      .on(GetObjectCommand)
      .rejects(new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} }));
    assert.deepStrictEqual(await work(event), {
      status: "skipped",
      reason: "object gone (deleted since the event)",
    });
  });

  it("a newer write since the event (other ETag): skipped as stale, nothing written", async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: bodyOf(await jpeg(300, 200)), ETag: '"def"' });
    assert.deepStrictEqual(await work(event), {
      status: "skipped",
      reason: "stale event: the object was overwritten since; the newer event renders it",
    });
    assert.equal(s3Mock.commandCalls(PutObjectCommand).length, 0);
  });

  it("zero-byte, non-image, own output, deletes: acknowledged without rendering", async () => {
    s3Mock
      .on(GetObjectCommand)
      .resolves({ Body: bodyOf(Buffer.from("%PDF-1.7 not an image")), ETag: '"abc"' });
    assert.deepStrictEqual(await work({ ...event, size: 0 }), {
      status: "skipped",
      reason: "zero-byte object",
    });
    assert.deepStrictEqual(await work(event), { status: "skipped", reason: "not an image" });
    assert.deepStrictEqual(await work({ ...event, bucket: "thumbs", key: "thumbnails/a/b-128.webp" }), {
      status: "skipped",
      reason: "the object is one of this handler's thumbnails",
    });
    assert.deepStrictEqual(await work({ ...event, eventName: "ObjectRemoved:Delete" }), {
      status: "skipped",
      reason: "not a create event (ObjectRemoved:Delete)",
    });
    assert.equal(s3Mock.commandCalls(GetObjectCommand).length, 1);
    assert.equal(s3Mock.commandCalls(PutObjectCommand).length, 0);
  });

  it("an image above the pixel limit is acknowledged, not decoded", async () => {
    const small = createThumbnailProcessor({ s3, config: { ...CONFIG, maxInputPixels: 10_000 }, logger });
    s3Mock.on(GetObjectCommand).resolves({ Body: bodyOf(await jpeg(300, 200)), ETag: '"abc"' });
    assert.deepStrictEqual(await small(event), {
      status: "skipped",
      reason: "image larger than THUMBNAIL_MAX_PIXELS (10000 pixels)",
    });
  });

  it("in an SQS batch, only the throttled message is reported in batchItemFailures", async () => {
    s3Mock.on(GetObjectCommand, { Key: "a/slow.jpg" }).rejects(slowDown());
    s3Mock
      .on(GetObjectCommand, { Key: "a/ok.jpg" })
      .resolves({ Body: bodyOf(await jpeg(300, 200)), ETag: '"abc"' });
    s3Mock.on(PutObjectCommand).resolves({});
    const handler = createObjectHandler({ name: "thumbnail", logger, process: work });
    const batch = {
      Records: [
        sqsRecord("m-ok", s3Event({ bucket: "photos", key: "a/ok.jpg", size: 1000, eTag: "abc" })),
        sqsRecord("m-slow", s3Event({ bucket: "photos", key: "a/slow.jpg", size: 1000, eTag: "abc" })),
      ],
    };
    assert.deepStrictEqual(await handler(batch, lambdaContext()), {
      batchItemFailures: [{ itemIdentifier: "m-slow" }],
    });
    assert.deepStrictEqual(
      s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key),
      ["thumbnails/a/ok-128.webp", "thumbnails/a/ok-512.webp"],
    );
  });

  it("invoked directly, a throttled object fails the invocation so Lambda retries it", async () => {
    s3Mock.on(GetObjectCommand).rejects(slowDown());
    const handler = createObjectHandler({ name: "thumbnail", logger, process: work });
    await assert.rejects(
      handler(s3Event({ bucket: "photos", key: "a/slow.jpg", size: 1 }), lambdaContext()),
      {
        message:
          "thumbnail: 1 of 1 object events failed: s3://photos/a/slow.jpg: s3:GetObject on s3://photos/a/slow.jpg was " +
          "throttled or failed on S3's side (SlowDown); the event fails so that it is delivered again (SQS redrive or " +
          "Lambda's asynchronous retries).",
      },
    );
  });
});

describe("thumbnail: end to end against s3rver", () => {
  let harness: S3Harness;
  const logger = new RecordingLogger();

  before(async () => {
    harness = await startS3rver(["photos", "thumbs"]);
  });
  after(async () => harness.stop());

  const put = (key: string, body: Buffer, contentType: string) =>
    harness.client.send(
      new PutObjectCommand({ Bucket: "photos", Key: key, Body: body, ContentType: contentType }),
    );
  const dimensionsOf = async (key: string) => {
    const response = await harness.client.send(new GetObjectCommand({ Bucket: "thumbs", Key: key }));
    const meta = await sharp(Buffer.from(await response.Body!.transformToByteArray())).metadata();
    return {
      format: meta.format,
      width: meta.width,
      height: meta.height,
      sourceKey: response.Metadata?.["source-key"],
    };
  };

  it("renders a JPEG and a PNG with spaces and unicode in their keys; the thumbnails have the expected sizes", async () => {
    const jpegKey = "raw photos/Été à Paris+1.jpg";
    const pngKey = "icônes/logo final.png";
    const jpegTag = (await put(jpegKey, await jpeg(1200, 800), "image/jpeg")).ETag!.replace(/"/g, "");
    const pngTag = (await put(pngKey, await png(300, 200), "image/png")).ETag!.replace(/"/g, "");
    const handler = createObjectHandler({
      name: "thumbnail",
      logger,
      process: createThumbnailProcessor({ s3: harness.client, config: CONFIG, logger }),
    });
    const event = {
      Records: [
        ...s3Event({ bucket: "photos", key: jpegKey, size: 1, eTag: jpegTag }).Records,
        ...s3Event({ bucket: "photos", key: pngKey, size: 1, eTag: pngTag }).Records,
      ],
    };
    assert.equal(
      (event.Records[0].s3 as { object: { key: string } }).object.key,
      "raw+photos/%C3%89t%C3%A9+%C3%A0+Paris%2B1.jpg",
    );
    const result = (await handler(event, lambdaContext())) as DirectResult;
    assert.deepStrictEqual(result.outcomes, [
      {
        status: "processed",
        reason: "thumbnails written",
        outputs: [
          "s3://thumbs/thumbnails/raw photos/Été à Paris+1-128.webp",
          "s3://thumbs/thumbnails/raw photos/Été à Paris+1-512.webp",
        ],
      },
      {
        status: "processed",
        reason: "thumbnails written",
        outputs: [
          "s3://thumbs/thumbnails/icônes/logo final-128.webp",
          "s3://thumbs/thumbnails/icônes/logo final-512.webp",
        ],
      },
    ]);
    const encodedJpegKey = encodeURIComponent(jpegKey);
    assert.deepStrictEqual(await dimensionsOf("thumbnails/raw photos/Été à Paris+1-128.webp"), {
      format: "webp",
      width: 128,
      height: 85,
      sourceKey: encodedJpegKey,
    });
    assert.deepStrictEqual(await dimensionsOf("thumbnails/raw photos/Été à Paris+1-512.webp"), {
      format: "webp",
      width: 512,
      height: 341,
      sourceKey: encodedJpegKey,
    });
    assert.deepStrictEqual(await dimensionsOf("thumbnails/icônes/logo final-128.webp"), {
      format: "webp",
      width: 128,
      height: 85,
      sourceKey: encodeURIComponent(pngKey),
    });
    assert.deepStrictEqual(await dimensionsOf("thumbnails/icônes/logo final-512.webp"), {
      format: "webp",
      width: 300,
      height: 200,
      sourceKey: encodeURIComponent(pngKey),
    });
  });

  it("processes the same event delivered twice once (idempotency layer, DynamoDB in memory)", async () => {
    const key = "dup/once.jpg";
    const eTag = (await put(key, await jpeg(640, 480), "image/jpeg")).ETag!.replace(/"/g, "");
    const counts = countCommands(harness.client);
    const dynamodb = new DynamoDBClient({ region: "us-east-1" });
    const table = memoryIdempotencyTable(dynamodb);
    try {
      const work = createThumbnailProcessor({ s3: harness.client, config: CONFIG, logger });
      const handler = createObjectHandler({
        name: "thumbnail",
        logger,
        process: work,
        idempotency: makeObjectIdempotent(
          work,
          { tableName: "idempotency", expiresAfterSeconds: 3600 },
          dynamodb,
          "thumbnail",
        ),
      });
      const event = s3Event({ bucket: "photos", key, size: 1, eTag, sequencer: "0062E99A88DC407460" });
      const first = (await handler(event, lambdaContext())) as DirectResult;
      const second = (await handler(event, lambdaContext())) as DirectResult;
      const written = [
        "s3://thumbs/thumbnails/dup/once-128.webp",
        "s3://thumbs/thumbnails/dup/once-512.webp",
      ];
      assert.deepStrictEqual(first.outcomes, [
        { status: "processed", reason: "thumbnails written", outputs: written },
      ]);
      assert.deepStrictEqual(second.outcomes, [
        { status: "processed", reason: "thumbnails written", outputs: written, duplicate: true },
      ]);
      assert.equal(counts.get("GetObjectCommand"), 1);
      assert.equal(counts.get("PutObjectCommand"), 2);
      assert.equal(table.items.size, 1);
    } finally {
      table.restore();
    }
  });

  it("acknowledges an event for an object deleted since", async () => {
    const work = createThumbnailProcessor({ s3: harness.client, config: CONFIG, logger });
    assert.deepStrictEqual(await work({ ...baseEvent, key: "never/uploaded.jpg" }), {
      status: "skipped",
      reason: "object gone (deleted since the event)",
    });
  });

  it("acknowledges a non-image file and a zero-byte object", async () => {
    const text = await put("docs/readme.txt", Buffer.from("hello"), "text/plain");
    const empty = await put("docs/empty.jpg", Buffer.alloc(0), "image/jpeg");
    const work = createThumbnailProcessor({ s3: harness.client, config: CONFIG, logger });
    assert.deepStrictEqual(
      await work({ ...baseEvent, key: "docs/readme.txt", eTag: text.ETag!.replace(/"/g, "") }),
      {
        status: "skipped",
        reason: "not an image",
      },
    );
    assert.deepStrictEqual(
      await work({
        ...baseEvent,
        key: "docs/empty.jpg",
        size: undefined,
        eTag: empty.ETag!.replace(/"/g, ""),
      }),
      { status: "skipped", reason: "zero-byte object" },
    );
  });
});
