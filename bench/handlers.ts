/**
 * Handler benchmark, run on demand (not a test):
 *
 *   node -r ts-node/register/transpile-only bench/handlers.ts
 *
 * Measures, in one run, on this machine, each figure against its aim (issue 16) with a verdict:
 * 1. each handler's bundle size (`index.js`, and `idempotency.js`, the idempotency layer loaded only
 *    when IDEMPOTENCY_TABLE is set) and cold-start init time (a fresh `node` process timing
 *    `require("./index.js")`, best of 5 rounds that alternate baselines and handlers), against
 *    baselines bundled the same way: a minimal handler that bundles the whole @aws-sdk/client-s3,
 *    the same handler with it external (what the aims compare with), and that one plus sharp;
 * 2. the parser per envelope (S3, SQS, SNS, SNS → SQS raw or not, EventBridge, EventBridge → SQS,
 *    EventBridge → SNS → Lambda or SQS) on batches of 10,000 records: `parseS3Notifications(JSON.parse(text))`
 *    against `JSON.parse(text)` alone, against the same two parses of SQS bodies and SNS messages with no
 *    checks (the ceiling any reader of those envelopes has), against a reader that makes the same
 *    records with no check at all (the ceiling of any parser returning them), and against the schema version (zod +
 *    Powertools' parser schemas, kept as the tests' oracle); then the validation options side by side
 *    (precompiled guards, valibot, zod), speed and bundled size;
 * 3. thumbnails per second: the thumbnail handler's per-object work (S3 mocked in memory) against
 *    calling sharp directly with the same options on the same images (best of 5 alternating rounds).
 *
 * Every timed run of the parser starts after a full garbage collection (`gc`, exposed at start),
 * so that no run pays for the garbage of the one before it; what a run allocates itself still counts.
 * The machine's load (`uptime`) is printed first: other work on the machine slows every figure,
 * the ratios (taken within one run) much less.
 *
 * Writes bundles to bench/out/ (git-ignored) and prints the tables. One section alone:
 * `bench/handlers.ts bundles`, `parser` or `thumbnails` (bench/run.ts runs them all).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { GetObjectCommand, GetObjectCommandOutput, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { buildSync } from "esbuild";
import sharp from "sharp";
import { bundleHandler, HANDLER_NAMES, IDEMPOTENCY_FILE, writeBundle } from "../components/handlerBundle";
import { strict as assert } from "node:assert";
import { hasShape, S3_EVENT } from "../handlers/shared/envelopeShapes";
import { parseS3Notifications, S3NotificationError } from "../handlers/shared/events";
import { S3EventSchema } from "../tests/handlers/support/notificationSchemas";
import { parseWithZod } from "../tests/handlers/support/zodReference";
import { isS3EventValibot } from "./programs/valibotS3Schema";
import type { StructuredLogger } from "../handlers/shared/logging";
import { parseThumbnailConfig } from "../handlers/thumbnail/config";
import { createThumbnailProcessor } from "../handlers/thumbnail/thumbnails";

const ROOT = join(__dirname, "..");
const OUT = join(ROOT, "bench", "out");
const MODULES = join(ROOT, "node_modules");

const HANDLER_ENV: Record<string, string> = {
  DEST_BUCKET: "bench-thumbnails",
  TABLE_NAME: "bench-index",
  POWERTOOLS_LOG_LEVEL: "SILENT",
  AWS_REGION: "us-east-1",
};

const table = (rows: (string | number)[][]): string => {
  const text = rows.map((r) => r.map(String));
  const widths = text[0].map((_, i) => Math.max(...text.map((r) => r[i].length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  return [
    line(text[0]),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...text.slice(1).map(line),
  ].join("\n");
};
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const fixed = (n: number, digits = 1) => n.toFixed(digits);

/** The aims of issue 16. */
const AIM = {
  /** Non-image handlers' index.js, KiB (the aim; 64 is the limit). */
  indexKiB: 50,
  indexKiBLimit: 64,
  /** Cold init ÷ the minimal SDK-external handler's. */
  initRatio: 1.3,
  /** parseS3Notifications(JSON.parse(text)) speed ÷ JSON.parse(text)'s. */
  parserRatio: 0.5,
  /** Thumbnails per second ÷ sharp called directly. */
  thumbnailRatio: 0.9,
} as const;

/**
 * The image handlers (sharp): their index.js has no size aim, and their cold init is held to the
 * baseline that also loads sharp ("what sharp itself costs, nothing more"); the others to the
 * SDK-external baseline.
 */
const IMAGE_HANDLERS: readonly string[] = ["thumbnail", "metadata"];

/** A full garbage collection (V8's `gc`, exposed here rather than by a node flag). */
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** What `uptime` prints (the load averages), or os.loadavg() where there is no `uptime`. */
function machineLoad(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8" }).trim();
  } catch {
    return `load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`;
  }
}

/** Times `require("./index.js")` in a fresh node process; returns [require ms, whole-process ms]. */
function coldStart(dir: string): [number, number] {
  const script =
    "const t0 = process.hrtime.bigint(); require('./index.js'); " +
    "console.log(Number(process.hrtime.bigint() - t0) / 1e6);";
  const started = process.hrtime.bigint();
  const out = execFileSync(process.execPath, ["-e", script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", NODE_PATH: MODULES, ...HANDLER_ENV },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return [Number(out.trim()), Number(process.hrtime.bigint() - started) / 1e6];
}

/** Best of `rounds` cold starts of each directory, the directories alternating within each round. */
function coldStarts(dirs: string[], rounds = 5): [number, number][] {
  const best: [number, number][] = dirs.map(() => [Infinity, Infinity]);
  for (let round = 0; round < rounds; round += 1) {
    dirs.forEach((dir, i) => {
      const [init, whole] = coldStart(dir);
      best[i] = [Math.min(best[i][0], init), Math.min(best[i][1], whole)];
    });
  }
  return best;
}

function buildBaseline(name: string, external: boolean, withSharp = false): { dir: string; bytes: number } {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  const result = buildSync({
    stdin: {
      contents:
        'import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";\n' +
        (withSharp ? 'import sharp from "sharp";\nsharp.concurrency(1);\n' : "") +
        "const s3 = new S3Client({});\n" +
        "export const handler = async (event: { bucket: string; key: string }) =>\n" +
        "  s3.send(new GetObjectCommand({ Bucket: event.bucket, Key: event.key }));\n",
      resolveDir: ROOT,
      loader: "ts",
      sourcefile: `${name}.ts`,
    },
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    external: external ? ["@aws-sdk/*", "sharp"] : [],
    write: false,
    outfile: join(dir, "index.js"),
  });
  writeFileSync(join(dir, "index.js"), result.outputFiles[0].contents);
  return { dir, bytes: result.outputFiles[0].contents.byteLength };
}

async function benchBundles(): Promise<string> {
  const rows: (string | number)[][] = [
    [
      "bundle",
      "index.js KiB",
      `${IDEMPOTENCY_FILE} KiB`,
      "archive KiB",
      "init ms (require)",
      "process ms",
      "init vs SDK external",
      "init vs SDK bundled",
      "init vs SDK external + sharp",
      `aim: index.js ≤ ${AIM.indexKiBLimit} KiB (${AIM.indexKiB}), init ≤ ${AIM.initRatio}x its baseline`,
    ],
  ];
  const bundled = buildBaseline("baseline-sdk-bundled", false);
  const external = buildBaseline("baseline-sdk-external", true);
  const sharpBase = buildBaseline("baseline-sdk-external-sharp", true, true);
  const handlers: { name: string; files: Readonly<Record<string, number>>; size: number; dir: string }[] = [];
  for (const name of HANDLER_NAMES) {
    const bundle = bundleHandler(name);
    const dir = join(OUT, name);
    rmSync(dir, { recursive: true, force: true });
    await writeBundle(bundle, dir);
    handlers.push({ name, files: bundle.files, size: bundle.size, dir });
  }
  const [
    [bundledInit, bundledProcess],
    [externalInit, externalProcess],
    [sharpInit, sharpProcess],
    ...inits
  ] = coldStarts([bundled.dir, external.dir, sharpBase.dir, ...handlers.map((h) => h.dir)]);
  const ratio = (init: number) => [
    `${fixed(init / externalInit, 2)}x`,
    `${fixed(init / bundledInit, 2)}x`,
    `${fixed(init / sharpInit, 2)}x`,
  ];
  const baseline = (name: string, bytes: number, init: number, whole: number) => [
    name,
    kb(bytes),
    "—",
    kb(bytes),
    fixed(init),
    fixed(whole),
    ...ratio(init),
    "",
  ];
  rows.push(baseline("baseline: client-s3 bundled", bundled.bytes, bundledInit, bundledProcess));
  rows.push(baseline("baseline: client-s3 external", external.bytes, externalInit, externalProcess));
  rows.push(baseline("baseline: client-s3 external + sharp", sharpBase.bytes, sharpInit, sharpProcess));
  handlers.forEach(({ name, files, size }, i) => {
    const [init, whole] = inits[i];
    const index = files["index.js"] / 1024;
    const verdicts = [
      IMAGE_HANDLERS.includes(name)
        ? "size: no aim (image handler)"
        : index <= AIM.indexKiB
          ? "size: yes"
          : index <= AIM.indexKiBLimit
            ? `size: yes (≤ ${AIM.indexKiBLimit}; ${fixed(index - AIM.indexKiB)} KiB over ${AIM.indexKiB})`
            : "size: no",
      IMAGE_HANDLERS.includes(name)
        ? `init: ${init / sharpInit <= AIM.initRatio ? "yes" : "no"} (baseline + sharp)`
        : `init: ${init / externalInit <= AIM.initRatio ? "yes" : "no"}`,
    ];
    rows.push([
      name,
      kb(files["index.js"]),
      kb(files[IDEMPOTENCY_FILE]),
      kb(size),
      fixed(init),
      fixed(whole),
      ...ratio(init),
      verdicts.join(", "),
    ]);
  });
  return table(rows);
}

/** A fixture, parsed. */
const fixtureOf = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(ROOT, "tests", "fixtures", "events", name), "utf8"));

/** One envelope of the parser bench: the texts a batch of 10,000 records arrives as, and its inner JSON. */
interface EnvelopeBatch {
  name: string;
  /** What Lambda hands over: one text holding 10,000 records, or 10,000 texts of one event each. */
  texts: string[];
  /** Parses the JSON inside (SQS bodies, SNS messages), once each: the second parse every reader needs. */
  inner?: (value: unknown) => void;
  /**
   * Reads the same records with no check at all (`bareRecords`): what any parser returning them
   * costs at the least, the allocations and the garbage collection they bring included.
   */
  bare: (value: unknown) => unknown[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the no-check reader trusts its input by design */
/**
 * The records of an S3 event or an EventBridge event, read with no check: the same fields as
 * parseS3Notifications returns (keys decoded, sequencers upper-cased), nothing verified.
 */
function bareRecords(event: any, source: string, messageId: string | undefined, out: unknown[]): unknown[] {
  if (event["detail-type"] !== undefined) {
    const object = event.detail.object;
    out.push({
      source,
      messageId,
      region: event.region,
      bucket: event.detail.bucket.name,
      key: object.key,
      eventName: event.detail.reason,
      eventTime: event.time,
      size: object.size,
      eTag: object.etag,
      versionId: object["version-id"],
      sequencer: object.sequencer?.toUpperCase(),
    });
    return out;
  }
  for (const record of event.Records) {
    const object = record.s3.object;
    out.push({
      source,
      messageId,
      region: record.awsRegion,
      bucket: record.s3.bucket.name,
      key: decodeURIComponent(object.key.replace(/\+/g, " ")),
      eventName: record.eventName,
      eventTime: record.eventTime,
      size: object.size,
      eTag: object.eTag,
      versionId: object.versionId,
      sequencer: object.sequencer?.toUpperCase(),
    });
  }
  return out;
}

/** The no-check readers of each envelope. */
const bare = {
  direct:
    (source: string) =>
    (value: unknown): unknown[] =>
      bareRecords(value, source, undefined, []),
  sqs:
    (source: string) =>
    (value: any): unknown[] => {
      const out: unknown[] = [];
      for (const r of value.Records) bareRecords(JSON.parse(r.body), source, r.messageId, out);
      return out;
    },
  sns:
    (source: string) =>
    (value: any): unknown[] => {
      const out: unknown[] = [];
      for (const r of value.Records) bareRecords(JSON.parse(r.Sns.Message), source, undefined, out);
      return out;
    },
  snsInSqs:
    (source: string) =>
    (value: any): unknown[] => {
      const out: unknown[] = [];
      for (const r of value.Records)
        bareRecords(JSON.parse(JSON.parse(r.body).Message), source, r.messageId, out);
      return out;
    },
};
/* eslint-enable @typescript-eslint/no-explicit-any */

const BATCH = 10_000;

function envelopeBatches(): EnvelopeBatch[] {
  const records = (file: string): string[] => {
    const record = (fixtureOf(file).Records as unknown[])[0];
    return [JSON.stringify({ Records: Array.from({ length: BATCH }, () => record) })];
  };
  const events = (file: string): string[] => {
    const text = JSON.stringify(fixtureOf(file));
    return Array.from({ length: BATCH }, () => text);
  };
  type Rec = { body?: string; Sns?: { Message: string } };
  const each = (value: unknown) => (value as { Records?: Rec[] }).Records ?? [];
  const none = undefined;
  const bodies = (value: unknown) => {
    for (const r of each(value)) JSON.parse(r.body ?? "");
  };
  const messages = (value: unknown) => {
    for (const r of each(value)) JSON.parse(r.Sns?.Message ?? "");
  };
  const snsInSqs = (value: unknown) => {
    for (const r of each(value)) JSON.parse((JSON.parse(r.body ?? "") as { Message: string }).Message);
  };
  return [
    { name: "S3 → Lambda", texts: records("s3-put.json"), inner: none, bare: bare.direct("s3") },
    { name: "S3 → SQS", texts: records("sqs-s3-put.json"), inner: bodies, bare: bare.sqs("sqs") },
    { name: "S3 → SNS → Lambda", texts: records("sns-s3-put.json"), inner: messages, bare: bare.sns("sns") },
    {
      name: "S3 → SNS → SQS",
      texts: records("sns-sqs-s3-put.json"),
      inner: snsInSqs,
      bare: bare.snsInSqs("sns-sqs"),
    },
    {
      name: "S3 → SNS → SQS (raw)",
      texts: records("sns-sqs-raw-s3-put.json"),
      inner: bodies,
      bare: bare.sqs("sqs"),
    },
    {
      name: "EventBridge → Lambda",
      texts: events("eventbridge-object-created.json"),
      inner: none,
      bare: bare.direct("eventbridge"),
    },
    {
      name: "EventBridge → SQS",
      texts: records("eventbridge-sqs-object-created.json"),
      inner: bodies,
      bare: bare.sqs("eventbridge-sqs"),
    },
    {
      name: "EventBridge → SNS → Lambda",
      texts: events("sns-eventbridge-object-created.json"),
      inner: messages,
      bare: bare.sns("eventbridge-sns"),
    },
    {
      name: "EventBridge → SNS → SQS",
      texts: records("sns-sqs-eventbridge-object-created.json"),
      inner: snsInSqs,
      bare: bare.snsInSqs("eventbridge-sns-sqs"),
    },
  ];
}

/** Milliseconds of one run of `run`, started after a full garbage collection. */
function timed(run: () => void): number {
  gc();
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** The best of `rounds` alternating runs of each function, in ms. */
function bestOf(rounds: number, runs: (() => void)[]): number[] {
  const best = runs.map(() => Infinity);
  for (let round = 0; round < rounds; round += 1) {
    runs.forEach((run, i) => {
      best[i] = Math.min(best[i], timed(run));
    });
  }
  return best;
}

function benchParser(): string {
  const rows: (string | number)[][] = [
    [
      `envelope (${BATCH.toLocaleString("en")} records)`,
      "JSON.parse ms",
      "+ inner JSON.parse ms",
      "no-check reader ms",
      "guards ms",
      "zod ms",
      "guards vs JSON.parse",
      "ceiling: 2 parses",
      "ceiling: no-check reader",
      "guards vs no-check reader",
      "zod vs JSON.parse",
      `aim ≥ ${fixed(AIM.parserRatio, 2)}x`,
    ],
  ];
  for (const batch of envelopeBatches()) {
    const { texts } = batch;
    let zodReads = true;
    try {
      assert.deepStrictEqual(parseS3Notifications(JSON.parse(texts[0])), parseWithZod(JSON.parse(texts[0])));
    } catch (error) {
      if (!(error instanceof S3NotificationError)) throw error;
      zodReads = false; // the schema version refused EventBridge events inside SNS
    }
    assert.equal(batch.bare(JSON.parse(texts[0])).length, parseS3Notifications(JSON.parse(texts[0])).length);
    const [plain, twice, bareMs, guards, zod] = bestOf(7, [
      () => {
        for (const t of texts) JSON.parse(t);
      },
      () => {
        for (const t of texts) batch.inner?.(JSON.parse(t));
      },
      () => {
        for (const t of texts) batch.bare(JSON.parse(t));
      },
      () => {
        for (const t of texts) parseS3Notifications(JSON.parse(t));
      },
      () => {
        if (zodReads) for (const t of texts) parseWithZod(JSON.parse(t));
      },
    ]);
    const ratio = plain / guards;
    const ceiling = plain / twice;
    const floor = plain / bareMs;
    let verdict: string;
    if (ratio >= AIM.parserRatio) verdict = "yes";
    else if (batch.inner && ceiling < AIM.parserRatio)
      verdict = `no, cannot be: the inner JSON.parse alone costs ${fixed(twice - plain)} ms (ceiling ${fixed(ceiling, 2)}x)`;
    else if (floor < AIM.parserRatio)
      verdict = `no, cannot be: the records read with no check cost ${fixed(bareMs - plain)} ms (ceiling ${fixed(floor, 2)}x)`;
    else verdict = `no (${fixed(ratio / floor, 2)} of the no-check reader)`;
    rows.push([
      batch.name,
      fixed(plain),
      batch.inner ? fixed(twice) : "—",
      fixed(bareMs),
      fixed(guards),
      zodReads ? fixed(zod) : "—",
      `${fixed(ratio, 2)}x`,
      batch.inner ? `${fixed(ceiling, 2)}x` : "—",
      `${fixed(floor, 2)}x`,
      fixed(ratio / floor, 2),
      zodReads ? `${fixed(plain / zod, 2)}x` : "refused",
      verdict,
    ]);
  }
  return table(rows);
}

/** Validation alone, side by side: the native S3 event of 10,000 records, already parsed. */
function benchValidators(): string {
  const text = envelopeBatches()[0].texts[0];
  const value: unknown = JSON.parse(text);
  assert.equal(hasShape(S3_EVENT, value), true);
  assert.equal(S3EventSchema.safeParse(value).success, true);
  assert.equal(isS3EventValibot(value), true);
  const [guards, zod, valibot] = bestOf(5, [
    () => hasShape(S3_EVENT, value),
    () => S3EventSchema.safeParse(value),
    () => isS3EventValibot(value),
  ]);
  const size = (contents: string): number =>
    buildSync({
      stdin: { contents, resolveDir: ROOT, loader: "ts", sourcefile: "validator.ts" },
      bundle: true,
      platform: "node",
      target: "node22",
      format: "cjs",
      minify: true,
      write: false,
    }).outputFiles[0].contents.byteLength;
  const guardsSize = size(
    'import { hasShape, S3_EVENT } from "./handlers/shared/envelopeShapes"; export const ok = (v: unknown) => hasShape(S3_EVENT, v);',
  );
  const zodSize = size(
    'import { S3EventSchema } from "./tests/handlers/support/notificationSchemas"; export const ok = (v: unknown) => S3EventSchema.safeParse(v).success;',
  );
  const valibotSize = size('export { isS3EventValibot as ok } from "./bench/programs/valibotS3Schema";');
  return table([
    ["validator (S3 event, 10,000 records, parsed)", "ms", "vs guards", "bundled KiB", "Standard Schema"],
    ["precompiled guards (handlers/shared/envelopeShapes)", fixed(guards), "1.00x", kb(guardsSize), "no"],
    [
      "valibot 1.x (bench/programs/valibotS3Schema)",
      fixed(valibot),
      `${fixed(valibot / guards, 1)}x`,
      kb(valibotSize),
      "yes",
    ],
    [
      "zod 4 + Powertools parser schemas (before)",
      fixed(zod),
      `${fixed(zod / guards, 1)}x`,
      kb(zodSize),
      "yes",
    ],
  ]);
}

const silent: StructuredLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

async function benchThumbnails(): Promise<string> {
  sharp.concurrency(1);
  sharp.cache(false);
  const images = [
    {
      name: "jpeg 1200x800",
      data: await sharp({ create: { width: 1200, height: 800, channels: 3, background: "#c81e1e" } })
        .jpeg()
        .toBuffer(),
    },
    {
      name: "png 800x600",
      data: await sharp({ create: { width: 800, height: 600, channels: 4, background: "#0080ff80" } })
        .png()
        .toBuffer(),
    },
    {
      name: "jpeg 4000x3000",
      data: await sharp({
        create: {
          width: 4000,
          height: 3000,
          channels: 3,
          background: "#808080",
          noise: { type: "gaussian", mean: 128, sigma: 30 },
        },
      })
        .jpeg()
        .toBuffer(),
    },
  ];
  const config = parseThumbnailConfig({
    DEST_BUCKET: "bench-thumbnails",
    THUMBNAIL_SIZES: "128,512",
    THUMBNAIL_FORMAT: "webp",
  });
  const s3 = new S3Client({ region: "us-east-1" });
  const s3Mock = mockClient(s3);
  s3Mock.on(PutObjectCommand).resolves({});
  const work = createThumbnailProcessor({ s3, config, logger: silent });
  const rows: (string | number)[][] = [
    [
      "image",
      "bytes",
      "sharp direct thumbs/s",
      "handler thumbs/s",
      "handler vs direct",
      `aim ≥ ${fixed(AIM.thumbnailRatio, 2)}x`,
    ],
  ];
  for (const image of images) {
    const iterations = image.name.includes("4000") ? 2 : 10;
    const direct = async () => {
      const input = sharp(image.data, {
        limitInputPixels: config.maxInputPixels,
        sequentialRead: true,
        failOn: "error",
        autoOrient: true,
      });
      for (const size of config.sizes) {
        await input
          .clone()
          .resize({ width: size, height: size, fit: "inside", withoutEnlargement: true })
          .toFormat("webp")
          .toBuffer();
      }
    };
    // The mock is set up once per image, outside the timed runs: its set-up is not the handler's work.
    s3Mock.on(GetObjectCommand).callsFake(async () => ({
      Body: Readable.from([image.data]) as unknown as GetObjectCommandOutput["Body"],
      ETag: '"bench"',
      ContentLength: image.data.length,
    }));
    const viaHandler = async () => {
      const outcome = await work({
        source: "s3",
        region: "us-east-1",
        bucket: "bench-photos",
        key: `bench/${image.name}.jpg`,
        eventName: "ObjectCreated:Put",
        eventTime: "2025-11-12T10:15:30.000Z",
        size: image.data.length,
        eTag: "bench",
        sequencer: "0055AED6DCD90281E5",
      });
      if (outcome.status !== "processed")
        throw new Error(`bench: ${image.name} was ${outcome.status} (${outcome.reason})`);
    };
    const time = async (run: () => Promise<void>) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < iterations; i += 1) await run();
      return (iterations * config.sizes.length * 1e9) / Number(process.hrtime.bigint() - started);
    };
    await direct();
    await viaHandler();
    let directRate = 0;
    let handlerRate = 0;
    for (let round = 0; round < 7; round += 1) {
      directRate = Math.max(directRate, await time(direct));
      handlerRate = Math.max(handlerRate, await time(viaHandler));
    }
    rows.push([
      image.name,
      image.data.length,
      fixed(directRate),
      fixed(handlerRate),
      `${fixed(handlerRate / directRate, 2)}x`,
      handlerRate / directRate >= AIM.thumbnailRatio ? "yes" : "no",
    ]);
  }
  s3Mock.restore();
  return table(rows);
}

/** The sections asked for on the command line (`bundles`, `parser`, `thumbnails`); all when none. */
const SECTIONS = process.argv.slice(2);
const run = (section: string): boolean => SECTIONS.length === 0 || SECTIONS.includes(section);

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  console.log(
    `node ${process.version}, ${process.platform}-${process.arch}, sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}`,
  );
  console.log(`load at start: ${machineLoad()}\n`);
  if (run("bundles")) {
    console.log(
      "Bundles and cold start (best of 5 alternating rounds, fresh node process; init = require time). " +
        `${IDEMPOTENCY_FILE}: the idempotency layer, a second file of the archive that index.js requires only when ` +
        "IDEMPOTENCY_TABLE is set (not loaded here, as without a table).\n",
    );
    console.log(await benchBundles());
  }
  if (run("parser")) {
    console.log(
      "\nParser: parseS3Notifications(JSON.parse(text)) against JSON.parse(text) alone, per envelope, best of 7 alternating rounds, " +
        "each after a full GC. " +
        "SQS bodies and SNS messages are JSON inside JSON: the parser must parse each once more, so no parser can beat " +
        "JSON.parse of the outer text + each inner text (ceiling: 2 parses = JSON.parse alone ÷ both parses). Nor can it beat " +
        "a reader that makes the same records with no check at all (ceiling: no-check reader = JSON.parse alone ÷ that " +
        "reader, inner parses, allocations and the garbage collection they bring included).\n",
    );
    console.log(benchParser());
    console.log("\nValidation options side by side (checks only, on already-parsed input; best of 5)\n");
    console.log(benchValidators());
  }
  if (run("thumbnails")) {
    console.log(
      "\nThumbnails (sizes 128,512 webp; S3 mocked in memory; sharp.concurrency(1); best of 7 alternating rounds)\n",
    );
    console.log(await benchThumbnails());
  }
  console.log(`\nload at end: ${machineLoad()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
