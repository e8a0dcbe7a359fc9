/**
 * Proves the package from a consumer's side: builds it, packs it as `npm publish` would, checks the
 * tarball's contents, installs the tarball into each program under examples/ (with `npm ci`, from
 * that example's committed lockfile), type-checks each one against the installed typings (both
 * `moduleResolution: node`, which reads `typesVersions`, and `node16`, which reads `exports`) and
 * runs its tests.
 *
 * Usage: `npm run examples` (from a fresh clone too: it builds first, no dist/ needed).
 *        `npm run examples -- --update-locks` after the package's version or dependencies changed:
 *        refreshes each example's package-lock.json, then runs as usual.
 *
 * The lockfiles pin every registry package. The tarball's entry is kept without `integrity`: npm
 * would otherwise take the tarball of that integrity from its cache, i.e. the package as it was when
 * the lockfile was written, and test a stale build without a word. Without it, `npm ci` reads the
 * tarball built here. Its version and dependencies are compared with package.json before installing,
 * so a stale lockfile fails with the command that refreshes it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { HANDLER_NAMES } from "../components/handlerBundle";

const ROOT = join(__dirname, "..");
const TARBALL = "s3-event-routes.tgz";
const PACKAGE = "s3-event-routes";
const LOCK_ENTRY = `node_modules/${PACKAGE}`;
const updateLocks = process.argv.includes("--update-locks");

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface LockEntry extends Partial<PackageJson> {
  resolved?: string;
  integrity?: string;
}

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number }[];
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

/** Runs a command, streaming its output; throws naming the command and the directory when it fails. */
function run(cwd: string, command: string, args: string[]): void {
  const started = Date.now();
  const shown = `${command} ${args.join(" ")}`;
  console.log(`\n[${relative(ROOT, cwd) || "."}] $ ${shown}`);
  const result = spawnSync(command, args, { cwd, stdio: "inherit", env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    throw new Error(
      `"${shown}" failed in ${relative(ROOT, cwd) || "."} (exit ${result.status}) after ${seconds} s.`,
    );
  }
  console.log(`[${relative(ROOT, cwd) || "."}] ok in ${seconds} s`);
}

/** Packs the package and checks that it holds what consumers need and nothing of the repository's own. */
function pack(): PackResult {
  run(ROOT, "npm", ["run", "build"]);
  const result = spawnSync("npm", ["pack", "--ignore-scripts", "--json"], { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`npm pack failed:\n${result.stderr}`);
  const [packed] = JSON.parse(result.stdout) as PackResult[];
  renameSync(join(ROOT, packed.filename), join(ROOT, TARBALL));
  const paths = packed.files.map((f) => f.path);
  const required = [
    "package.json",
    "CHANGELOG.md",
    "dist/components/index.js",
    "dist/components/index.d.ts",
    "dist/components/testing/mockEngine.js",
    "dist/components/testing/mockEngine.d.ts",
    "dist/handlers/shared/events.js",
    "dist/handlers/shared/events.d.ts",
    "dist/components/notificationMerge.js",
    "dist/policies/all.js",
    "dist/policies/all.d.ts",
    "components/objectFilter.ts",
    ...HANDLER_NAMES.map((name) => `handlers/${name}/index.ts`),
  ];
  const missing = required.filter((p) => !paths.includes(p));
  const leaked = paths.filter((p) =>
    /^(tests|bench|examples|scripts|policies|docs|handlers\/testing)\/|\.test\.|\.tsbuildinfo$/.test(p),
  );
  if (missing.length > 0 || leaked.length > 0) {
    throw new Error(
      `The tarball is wrong. Missing: ${missing.join(", ") || "none"}. Not for consumers: ${leaked.join(", ") || "none"}. ` +
        `Fix "files" in package.json or tsconfig.build.json.`,
    );
  }
  console.log(
    `\npacked ${TARBALL}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(1)} kB ` +
      `(${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked)`,
  );
  return packed;
}

/** The fields of the package that its entry in an example's lockfile records. */
function recorded(p: Partial<PackageJson>): string {
  return JSON.stringify({
    version: p.version,
    dependencies: p.dependencies ?? {},
    optionalDependencies: p.optionalDependencies ?? {},
    peerDependencies: p.peerDependencies ?? {},
  });
}

/** Checks (or, with --update-locks, refreshes) an example's lockfile entry for the tarball. */
function prepareLock(dir: string, pkg: PackageJson): void {
  const name = relative(ROOT, dir);
  const lockFile = join(dir, "package-lock.json");
  const entry = () =>
    existsSync(lockFile)
      ? readJson<{ packages: Record<string, LockEntry> }>(lockFile).packages[LOCK_ENTRY]
      : undefined;
  const stale = (e: LockEntry | undefined) =>
    !e || e.resolved !== `file:../../${TARBALL}` || recorded(e) !== recorded(pkg);
  if (updateLocks && stale(entry())) {
    // npm keeps a lockfile entry whose spec did not change, so drop it to have the tarball read again;
    // every other package stays pinned where the new dependencies allow.
    if (existsSync(lockFile)) {
      const lock = readJson<{ packages: Record<string, LockEntry> }>(lockFile);
      delete lock.packages[LOCK_ENTRY];
      writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
    }
    run(dir, "npm", ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"]);
  }
  const lock = existsSync(lockFile)
    ? readJson<{ packages: Record<string, LockEntry> }>(lockFile)
    : { packages: {} };
  const current = lock.packages[LOCK_ENTRY];
  if (stale(current)) {
    throw new Error(
      `${name}/package-lock.json does not match the package (${PACKAGE}@${pkg.version} and its dependencies), or ` +
        `does not install it from file:../../${TARBALL}. Refresh it with: npm run examples -- --update-locks`,
    );
  }
  if (current.integrity !== undefined) {
    if (!updateLocks) {
      throw new Error(
        `${name}/package-lock.json records an integrity for ${TARBALL}: npm would install the cached tarball of that ` +
          `integrity instead of the one built now. Remove it with: npm run examples -- --update-locks`,
      );
    }
    delete current.integrity;
    writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
  }
}

function main(): void {
  const started = Date.now();
  const pkg = readJson<PackageJson>(join(ROOT, "package.json"));
  pack();
  const examples = readdirSync(join(ROOT, "examples"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ROOT, "examples", d.name, "package.json")))
    .map((d) => join(ROOT, "examples", d.name));
  if (examples.length === 0) throw new Error("No example under examples/ has a package.json.");
  const passed: string[] = [];
  const failed: string[] = [];
  for (const dir of examples) {
    try {
      prepareLock(dir, pkg);
      run(dir, "npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"]);
      // node10 resolution (typesVersions), with every declaration file checked; then node16 (exports).
      run(dir, "npx", ["tsc", "--noEmit", "-p", ".", "--skipLibCheck", "false"]);
      run(dir, "npx", ["tsc", "--noEmit", "-p", ".", "--module", "node16", "--moduleResolution", "node16"]);
      run(dir, "npx", ["mocha"]);
      passed.push(relative(ROOT, dir));
    } catch (e) {
      console.error(`\n${e instanceof Error ? e.message : String(e)}`);
      failed.push(relative(ROOT, dir));
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(
    `\nexamples passed: ${passed.join(", ") || "none"}; failed: ${failed.join(", ") || "none"} (${seconds} s)`,
  );
  console.log(`examples: ${passed.length} passed, ${failed.length} failed`);
  if (failed.length > 0) process.exit(1);
}

try {
  main();
} catch (e) {
  console.error(`\n${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
