/**
 * Handler benchmark, run on demand (not a test):
 *
 *   node -r ts-node/register/transpile-only bench/handlers.ts
 *
 * Measures, in one run, on this machine:
 * 1. each handler's bundle size and cold-start init time (a fresh `node` process timing
 *    `require("./index.js")`, best of 3), against two baselines bundled the same way: a minimal
 *    handler that bundles the whole @aws-sdk/client-s3, and the same handler with it external;
 * 2. parser throughput: `parseS3Notifications(JSON.parse(text))` against plain `JSON.parse(text)`
 *    over every fixture in tests/fixtures/events;
 * 3. thumbnails per second: the thumbnail handler's per-object work (S3 mocked in memory) against
 *    calling sharp directly with the same options on the same images (best of 5 alternating rounds).
 *
 * Writes bundles to bench/out/ (git-ignored) and prints the tables.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { GetObjectCommand, GetObjectCommandOutput, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { buildSync } from "esbuild";
import sharp from "sharp";
import { bundleHandler, HANDLER_NAMES, writeBundle } from "../components/handlerBundle";
import { parseS3Notifications } from "../handlers/shared/events";
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

const bestOf3 = (dir: string): [number, number] => {
  const runs = [coldStart(dir), coldStart(dir), coldStart(dir)];
  return [Math.min(...runs.map((r) => r[0])), Math.min(...runs.map((r) => r[1]))];
};

function buildBaseline(name: string, external: boolean): { dir: string; bytes: number } {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  const result = buildSync({
    stdin: {
      contents:
        'import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";\n' +
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
    external: external ? ["@aws-sdk/*"] : [],
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
      "archive KiB",
      "init ms (require)",
      "process ms",
      "init vs SDK external",
      "init vs SDK bundled",
    ],
  ];
  const bundled = buildBaseline("baseline-sdk-bundled", false);
  const external = buildBaseline("baseline-sdk-external", true);
  const [bundledInit, bundledProcess] = bestOf3(bundled.dir);
  const [externalInit, externalProcess] = bestOf3(external.dir);
  const ratio = (init: number) => [`${fixed(init / externalInit, 2)}x`, `${fixed(init / bundledInit, 2)}x`];
  rows.push([
    "baseline: client-s3 bundled",
    kb(bundled.bytes),
    kb(bundled.bytes),
    fixed(bundledInit),
    fixed(bundledProcess),
    ...ratio(bundledInit),
  ]);
  rows.push([
    "baseline: client-s3 external",
    kb(external.bytes),
    kb(external.bytes),
    fixed(externalInit),
    fixed(externalProcess),
    ...ratio(externalInit),
  ]);
  for (const name of HANDLER_NAMES) {
    const bundle = bundleHandler(name);
    const dir = join(OUT, name);
    rmSync(dir, { recursive: true, force: true });
    await writeBundle(bundle, dir);
    const [init, whole] = bestOf3(dir);
    rows.push([
      name,
      kb(bundle.files["index.js"]),
      kb(bundle.size),
      fixed(init),
      fixed(whole),
      ...ratio(init),
    ]);
  }
  return table(rows);
}

function throughput(run: () => void, minMs = 1000): number {
  let count = 0;
  const started = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    run();
    count += 1;
    elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  }
  return (count * 1000) / elapsed;
}

function benchParser(): string {
  const dir = join(ROOT, "tests", "fixtures", "events");
  const texts = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => readFileSync(join(dir, f), "utf8"));
  for (let i = 0; i < 200; i += 1) for (const t of texts) parseS3Notifications(JSON.parse(t));
  const plain = throughput(() => {
    for (const t of texts) JSON.parse(t);
  });
  const parsed = throughput(() => {
    for (const t of texts) parseS3Notifications(JSON.parse(t));
  });
  const perSecond = (batches: number) => Math.round(batches * texts.length);
  return table([
    ["parser", "events/s", "vs JSON.parse"],
    [`JSON.parse (${texts.length} fixtures)`, perSecond(plain), "1.00x"],
    ["JSON.parse + parseS3Notifications", perSecond(parsed), `${fixed(parsed / plain, 2)}x`],
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
    ["image", "bytes", "sharp direct thumbs/s", "handler thumbs/s", "handler vs direct"],
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
    const viaHandler = async () => {
      s3Mock.on(GetObjectCommand).callsFake(async () => ({
        Body: Readable.from([image.data]) as unknown as GetObjectCommandOutput["Body"],
        ETag: '"bench"',
        ContentLength: image.data.length,
      }));
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
    for (let round = 0; round < 5; round += 1) {
      directRate = Math.max(directRate, await time(direct));
      handlerRate = Math.max(handlerRate, await time(viaHandler));
    }
    rows.push([
      image.name,
      image.data.length,
      fixed(directRate),
      fixed(handlerRate),
      `${fixed(handlerRate / directRate, 2)}x`,
    ]);
  }
  s3Mock.restore();
  return table(rows);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  console.log(
    `node ${process.version}, ${process.platform}-${process.arch}, sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}\n`,
  );
  console.log("Bundles and cold start (best of 3, fresh node process; init = require time)\n");
  console.log(await benchBundles());
  console.log("\nParser throughput (1 s per row)\n");
  console.log(benchParser());
  console.log(
    "\nThumbnails (sizes 128,512 webp; S3 mocked in memory; sharp.concurrency(1); best of 5 alternating rounds)\n",
  );
  console.log(await benchThumbnails());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
