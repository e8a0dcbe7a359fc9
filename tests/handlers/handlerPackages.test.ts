/**
 * The reference handlers' packages are optional peer dependencies: what each handler needs is listed
 * once (handlerPackages), checked against what esbuild actually bundles, and a missing one fails with
 * the exact install command before esbuild runs.
 */
import { strict as assert } from "node:assert";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import {
  bundleHandler,
  HANDLER_NAMES,
  handlerPackages,
  HandlerName,
  missingHandlerPackages,
} from "../../components/handlerBundle";

const ROOT = join(__dirname, "..", "..");
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  dependencies: Record<string, string>;
};

const POWERTOOLS = [
  "@aws-lambda-powertools/batch",
  "@aws-lambda-powertools/idempotency",
  "@aws-lambda-powertools/logger",
];

/** The peer dependencies a handler's esbuild bundle reads from node_modules (or leaves external). */
function bundledPeers(name: HandlerName): string[] {
  const result = buildSync({
    entryPoints: [join(ROOT, "handlers", name, "index.ts")],
    absWorkingDir: ROOT,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    external: ["@aws-sdk/*", "sharp"],
    write: false,
    metafile: true,
    outfile: join(ROOT, "dist", name, "index.js"),
    logLevel: "silent",
  });
  const found = new Set<string>();
  for (const [input, { imports }] of Object.entries(result.metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) found.add(match[1]);
    for (const i of imports) if (i.external) found.add(i.path);
  }
  return [...found].filter((p) => p in PACKAGE.peerDependencies).sort();
}

describe("the reference handlers' optional packages", function () {
  this.timeout(30_000);

  it("are optional peer dependencies, not dependencies; @pulumi/pulumi and @pulumi/aws are required peers", () => {
    const optional = Object.keys(PACKAGE.peerDependenciesMeta).filter(
      (p) => PACKAGE.peerDependenciesMeta[p].optional,
    );
    // The handlers' packages, and the two only the command's local loop needs (s3rver, aws-sdk-client-mock).
    assert.deepEqual(
      optional.sort(),
      [...POWERTOOLS, "esbuild", "exifr", "sharp", "s3rver", "aws-sdk-client-mock"].sort(),
    );
    assert.deepEqual(
      Object.keys(PACKAGE.peerDependencies).filter((p) => !optional.includes(p)),
      ["@pulumi/aws", "@pulumi/pulumi"],
    );
    for (const p of Object.keys(PACKAGE.peerDependencies)) {
      assert.equal(p in PACKAGE.dependencies, false, `${p} is not also a dependency`);
    }
  });

  for (const name of HANDLER_NAMES) {
    it(`${name}: lists exactly the peers its bundle reads, plus esbuild`, () => {
      assert.deepEqual(
        handlerPackages(name)
          .filter((p) => p !== "esbuild")
          .sort(),
        bundledPeers(name),
      );
    });
  }

  it("finds every package installed in this repository", () => {
    for (const name of HANDLER_NAMES) assert.deepEqual(missingHandlerPackages(name), []);
  });

  describe("from a project that did not install them", () => {
    let project: string;
    let modules: string;

    before(() => {
      // A copy of the sources the handlers import, outside any node_modules, and an empty node_modules.
      project = mkdtempSync(join(tmpdir(), "handler-packages-"));
      cpSync(join(ROOT, "handlers"), join(project, "handlers"), { recursive: true });
      cpSync(join(ROOT, "components"), join(project, "components"), { recursive: true });
      cpSync(join(ROOT, "model"), join(project, "model"), { recursive: true });
      modules = join(project, "node_modules");
      mkdirSync(modules);
    });

    after(() => rmSync(project, { recursive: true, force: true }));

    it("refuses to bundle, naming every missing package and the command that installs them", () => {
      const range = (p: string) => `${p}@${PACKAGE.peerDependencies[p]}`;
      assert.throws(() => bundleHandler("queue-consumer", { projectRoot: project, nodeModules: modules }), {
        message:
          'bundleHandler("queue-consumer"): the queue-consumer reference handler is bundled when the program runs and ' +
          "needs @aws-lambda-powertools/batch, @aws-lambda-powertools/idempotency, @aws-lambda-powertools/logger, " +
          "which are not installed (optional peer dependencies of s3-event-routes, " +
          "left out for programs without reference handlers). Install them with: npm install " +
          POWERTOOLS.map(range).join(" "),
      });
      assert.deepEqual(missingHandlerPackages("metadata", { projectRoot: project, nodeModules: modules }), [
        ...POWERTOOLS,
        "sharp",
        "exifr",
      ]);
    });

    it("names only sharp for the thumbnail handler once the rest is installed", () => {
      for (const p of POWERTOOLS) {
        mkdirSync(join(modules, p, ".."), { recursive: true });
        symlinkSync(join(ROOT, "node_modules", p), join(modules, p), "dir");
      }
      assert.throws(() => bundleHandler("thumbnail", { projectRoot: project, nodeModules: modules }), {
        message:
          'bundleHandler("thumbnail"): the thumbnail reference handler is bundled when the program runs and needs sharp, ' +
          "which is not installed (optional peer dependencies of s3-event-routes, left out for programs without " +
          `reference handlers). Install it with: npm install sharp@${PACKAGE.peerDependencies.sharp}`,
      });
      assert.equal(
        Object.keys(bundleHandler("replicate", { projectRoot: project, nodeModules: modules }).files).join(),
        "index.js,idempotency.js",
        "the replicate handler bundles from that project",
      );
    });
  });
});
