import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StringAsset } from "@pulumi/pulumi/asset";
import {
  BundleOptions,
  bundleHandler,
  HANDLER_NAMES,
  IDEMPOTENCY_FILE,
  HandlerName,
  LambdaArchitecture,
  writeBundle,
} from "../../components/handlerBundle";

const ROOT = join(__dirname, "..", "..");
const MODULES = join(ROOT, "node_modules");
const SHARP_VERSION: string = JSON.parse(
  readFileSync(join(MODULES, "sharp", "package.json"), "utf8"),
).version;
const CPU: Record<LambdaArchitecture, string> = { x86_64: "x64", arm64: "arm64" };
const installed = (arch: LambdaArchitecture) =>
  existsSync(join(MODULES, "@img", `sharp-linux-${CPU[arch]}`, "package.json")) &&
  existsSync(join(MODULES, "@img", `sharp-libvips-linux-${CPU[arch]}`, "package.json"));

const missingMessage = (name: HandlerName, arch: LambdaArchitecture, modules: string) =>
  `bundleHandler("${name}", { architecture: "${arch}" }): sharp needs @img/sharp-linux-${CPU[arch]}@${SHARP_VERSION} for ` +
  `Lambda ${arch} (linux, glibc), and it is not installed in ${modules}. A zip without it fails at cold start with ` +
  `'Could not load the "sharp" module using the linux-${CPU[arch]} runtime'. Install it next to sharp with: ` +
  `npm install --os=linux --cpu=${CPU[arch]} --libc=glibc sharp@${SHARP_VERSION}`;

/** Runs a bundle written to `dir` in a fresh node process and prints what `script` logs. */
function runBundle(dir: string, script: string, env: Record<string, string>): string {
  return execFileSync(process.execPath, ["-e", script], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_PATH: MODULES,
      POWERTOOLS_LOG_LEVEL: "SILENT",
      AWS_REGION: "us-east-1",
      ...env,
    },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

describe("bundleHandler", function () {
  this.timeout(20_000);

  for (const name of HANDLER_NAMES) {
    it(`${name}: index.js and idempotency.js, minified CJS, @aws-sdk external, Lambda settings`, async function () {
      const native = name === "thumbnail" || name === "metadata";
      if (native && !installed("x86_64")) this.skip();
      const bundle = bundleHandler(name);
      assert.equal(bundle.handler, "index.handler");
      assert.equal(bundle.runtime, "nodejs22.x");
      assert.equal(
        bundle.size,
        Object.values(bundle.files).reduce((a, b) => a + b, 0),
      );
      const archive = Object.keys(bundle.files);
      assert.deepEqual(
        archive.filter((f) => !f.startsWith("node_modules/")),
        ["index.js", IDEMPOTENCY_FILE],
      );
      assert.equal(IDEMPOTENCY_FILE, "idempotency.js");
      assert.equal(
        archive.some((f) => f.startsWith("node_modules/")),
        native,
      );
      const assets = await bundle.code.assets;
      const text = async (file: string) => (await (assets[file] as StringAsset).text) ?? "";
      const index = await text("index.js");
      const layer = await text(IDEMPOTENCY_FILE);
      // index.js requires the layer by its archive name, once, and carries none of its code.
      assert.equal(index.split('require("./idempotency")').length - 1, 1);
      for (const marker of ["eventKeyJmesPath", "IdempotencyItemAlreadyExistsError", "JMESPath"]) {
        assert.equal(index.includes(marker), false, `index.js does not contain ${marker}`);
        assert.equal(layer.includes(marker), true, `${IDEMPOTENCY_FILE} contains ${marker}`);
      }
      // Only the metadata handler uses DynamoDB itself (its object index).
      assert.equal(index.includes('require("@aws-sdk/client-dynamodb")'), name === "metadata");
      assert.equal(layer.includes('require("@aws-sdk/client-dynamodb")'), true, "the SDK stays external");
    });
  }

  it("builds the same archive twice: the same bytes, so the same asset hashes", async () => {
    const texts = async (options: BundleOptions) => {
      const assets = await bundleHandler("replicate", options).code.assets;
      return Promise.all(["index.js", IDEMPOTENCY_FILE].map(async (f) => (assets[f] as StringAsset).text));
    };
    // Two option sets that differ only in what the cache keys on, so esbuild runs twice.
    const first = await texts({ nodeModules: MODULES });
    const second = await texts({ nodeModules: `${MODULES}/` });
    assert.notEqual(
      bundleHandler("replicate", { nodeModules: MODULES }),
      bundleHandler("replicate", { nodeModules: `${MODULES}/` }),
    );
    assert.deepEqual(second, first);
  });

  it("caches per process: the same call returns the same bundle", () => {
    assert.equal(bundleHandler("queue-consumer"), bundleHandler("queue-consumer"));
    assert.notEqual(bundleHandler("queue-consumer"), bundleHandler("queue-consumer", { sourcemap: true }));
    assert.ok(bundleHandler("queue-consumer", { sourcemap: true }).files["index.js.map"] > 0);
  });

  for (const arch of ["x86_64", "arm64"] as const) {
    it(`thumbnail for ${arch}: packages sharp for linux-${CPU[arch]} when installed, otherwise refuses exactly`, () => {
      if (installed(arch)) {
        const files = Object.keys(bundleHandler("thumbnail", { architecture: arch }).files);
        for (const expected of [
          "node_modules/sharp/package.json",
          "node_modules/sharp/dist/index.cjs",
          `node_modules/@img/sharp-linux-${CPU[arch]}/lib/sharp-linux-${CPU[arch]}-${SHARP_VERSION}.node`,
          `node_modules/@img/sharp-libvips-linux-${CPU[arch]}/package.json`,
          "node_modules/@img/colour/index.cjs",
          "node_modules/detect-libc/package.json",
          "node_modules/semver/index.js",
        ]) {
          assert.ok(files.includes(expected), `${expected} is in the archive`);
        }
        assert.ok(
          files.some((f) =>
            f.startsWith(`node_modules/@img/sharp-libvips-linux-${CPU[arch]}/lib/libvips-cpp.so`),
          ),
        );
        assert.equal(
          files.some((f) => f.endsWith(".d.ts") || f.endsWith(".mjs")),
          false,
        );
      } else {
        assert.throws(() => bundleHandler("thumbnail", { architecture: arch }), {
          message: missingMessage("thumbnail", arch, MODULES),
        });
      }
    });
  }

  it("refuses to bundle when the platform package is missing (node_modules without @img)", () => {
    const modules = mkdtempSync(join(tmpdir(), "bundle-modules-"));
    try {
      symlinkSync(join(MODULES, "sharp"), join(modules, "sharp"), "dir");
      for (const arch of ["x86_64", "arm64"] as const) {
        assert.throws(() => bundleHandler("metadata", { architecture: arch, nodeModules: modules }), {
          message: missingMessage("metadata", arch, modules),
        });
      }
    } finally {
      rmSync(modules, { recursive: true, force: true });
    }
  });

  it("refuses an unknown handler name", () => {
    assert.throws(() => bundleHandler("resize" as HandlerName), {
      message:
        'bundleHandler: unknown handler "resize"; expected one of "thumbnail", "metadata", "replicate", "queue-consumer".',
    });
  });

  it("the queue-consumer bundle runs in a fresh node process, with and without the idempotency layer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bundle-queue-"));
    try {
      await writeBundle(bundleHandler("queue-consumer"), dir);
      const event = readFileSync(join(ROOT, "tests", "fixtures", "events", "sqs-s3-put.json"), "utf8");
      // Runs the handler on `input`, then prints its result and which files of the archive were loaded.
      const run = (input: string) =>
        [
          `require("./index.js").handler(${input}, { getRemainingTimeInMillis: () => 1000 }).then((r) => {`,
          `  const loaded = Object.keys(require.cache).filter((p) => p.startsWith(${JSON.stringify(dir + "/")}));`,
          `  console.log(JSON.stringify({ result: r, loaded: loaded.map((p) => p.slice(${dir.length + 1})) }));`,
          `});`,
        ].join("\n");
      const out = runBundle(dir, run(event), { DELIVERY_LAG_TARGET: "consumer" });
      const [metric, result] = out.trim().split("\n");
      assert.deepStrictEqual(JSON.parse(result), { result: { batchItemFailures: [] }, loaded: ["index.js"] });
      // The delivery-lag metric, one EMF line per record, written by the handler inside the bundle.
      const emf = JSON.parse(metric) as Record<string, unknown>;
      assert.deepStrictEqual(
        [emf.service, emf.Target, emf.Path, typeof emf.DeliveryLag],
        ["s3-event-routes", "consumer", "sqs", "number"],
      );
      const testEvent = readFileSync(
        join(ROOT, "tests", "fixtures", "events", "sqs-s3-test-event.json"),
        "utf8",
      );
      const withLayer = runBundle(dir, run(testEvent), { IDEMPOTENCY_TABLE: "idempotency" });
      assert.deepStrictEqual(
        JSON.parse(withLayer),
        { result: { batchItemFailures: [] }, loaded: ["index.js", IDEMPOTENCY_FILE] },
        "the idempotency layer is loaded from its own file of the archive, only when configured",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the thumbnail bundle loads sharp from its own node_modules in a fresh node process", async function () {
    if (!installed("x86_64") || process.arch !== "x64" || process.platform !== "linux") this.skip();
    const dir = mkdtempSync(join(tmpdir(), "bundle-thumb-"));
    try {
      await writeBundle(bundleHandler("thumbnail"), dir);
      const out = runBundle(
        dir,
        [
          `const m = require("./index.js");`,
          `const fromArchive = Object.keys(require.cache).filter((p) => p.startsWith(${JSON.stringify(dir)}) && /sharp-linux-x64.*\\.node$/.test(p));`,
          `m.handler({ Service: "Amazon S3", Event: "s3:TestEvent", Time: "t", Bucket: "b", RequestId: "r", HostId: "h" }, {})`,
          `  .then((r) => console.log(JSON.stringify({ result: r, nativeFromArchive: fromArchive.length })));`,
        ].join("\n"),
        { DEST_BUCKET: "thumbs" },
      );
      assert.deepStrictEqual(JSON.parse(out), { result: { outcomes: [] }, nativeFromArchive: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
