import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  bundleHandler,
  HANDLER_NAMES,
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
    it(`${name}: one minified CJS index.js, @aws-sdk external, Lambda settings`, function () {
      const native = name === "thumbnail" || name === "metadata";
      if (native && !installed("x86_64")) this.skip();
      const bundle = bundleHandler(name);
      assert.equal(bundle.handler, "index.handler");
      assert.equal(bundle.runtime, "nodejs22.x");
      assert.equal(
        bundle.size,
        Object.values(bundle.files).reduce((a, b) => a + b, 0),
      );
      assert.equal(Object.keys(bundle.files).includes("index.js.map"), false);
      assert.equal(
        Object.keys(bundle.files).some((f) => f.startsWith("node_modules/")),
        native,
      );
    });
  }

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
      const out = runBundle(
        dir,
        `require("./index.js").handler(${event}, { getRemainingTimeInMillis: () => 1000 }).then((r) => console.log(JSON.stringify(r)))`,
        { DELIVERY_LAG_TARGET: "consumer" },
      );
      const [metric, result] = out.trim().split("\n");
      assert.equal(result, '{"batchItemFailures":[]}');
      // The delivery-lag metric, one EMF line per record, printed by Powertools Metrics inside the bundle.
      const emf = JSON.parse(metric) as Record<string, unknown>;
      assert.deepStrictEqual(
        [emf.service, emf.Target, emf.Path, typeof emf.DeliveryLag],
        ["s3-event-routes", "consumer", "sqs", "number"],
      );
      const testEvent = readFileSync(
        join(ROOT, "tests", "fixtures", "events", "sqs-s3-test-event.json"),
        "utf8",
      );
      const withLayer = runBundle(
        dir,
        `require("./index.js").handler(${testEvent}, { getRemainingTimeInMillis: () => 1000 }).then((r) => console.log(JSON.stringify(r)))`,
        { IDEMPOTENCY_TABLE: "idempotency" },
      );
      assert.equal(
        withLayer.trim(),
        '{"batchItemFailures":[]}',
        "the lazily loaded idempotency layer resolves inside the bundle",
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
