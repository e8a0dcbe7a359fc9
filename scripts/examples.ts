/**
 * Proves the package from a consumer's side: builds it, packs it as `npm publish` would, checks the
 * tarball's contents, installs the tarball into each program under examples/ (with `npm ci`, from
 * that example's committed lockfile), type-checks each one against the installed typings (both
 * `moduleResolution: node`, which reads `typesVersions`, and `node16`, which reads `exports`) and
 * runs its tests.
 *
 * Each example runs in a copy outside the repository (a temporary folder holding the tarball and
 * `examples/<name>`, so `file:../../s3-event-routes.tgz` still resolves): inside it, Node and esbuild
 * would find whatever the repository's own node_modules holds, and an example could not prove what a
 * consumer's install lacks (sharp without an image handler, esbuild, Powertools and zod without any
 * reference handler). The peer dependencies' ranges are proven at both ends: some example must
 * install the lowest version of each required peer's range, and the versions each ran are printed.
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
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { HANDLER_NAMES } from "../components/handlerBundle";

const ROOT = join(__dirname, "..");
const TARBALL = "s3-event-routes.tgz";
const PACKAGE = "s3-event-routes";
const LOCK_ENTRY = `node_modules/${PACKAGE}`;
/** The example that installs no optional peer (no reference handler): see its test. */
const LEANEST_EXAMPLE = "queue-and-topic";
const updateLocks = process.argv.includes("--update-locks");

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
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

/** Where examples run: a temporary copy of `examples/` next to the tarball, outside the repository. */
let workRoot = ROOT;

/** A directory as printed: relative to the repository, or to the temporary copy of it. */
const shownDir = (dir: string) => relative(dir.startsWith(workRoot) ? workRoot : ROOT, dir) || ".";

/** Runs a command, streaming its output; throws naming the command and the directory when it fails. */
function run(cwd: string, command: string, args: string[]): void {
  const started = Date.now();
  const shown = `${command} ${args.join(" ")}`;
  console.log(`\n[${shownDir(cwd)}] $ ${shown}`);
  const result = spawnSync(command, args, { cwd, stdio: "inherit", env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    throw new Error(`"${shown}" failed in ${shownDir(cwd)} (exit ${result.status}) after ${seconds} s.`);
  }
  console.log(`[${shownDir(cwd)}] ok in ${seconds} s`);
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
    "LICENSE",
    "README.md",
    "dist/components/index.js",
    "dist/components/index.d.ts",
    "dist/components/testing/mockEngine.js",
    "dist/components/testing/mockEngine.d.ts",
    "dist/handlers/shared/events.js",
    "dist/handlers/shared/events.d.ts",
    "dist/model/notificationMerge.js",
    "dist/policies/all.js",
    "dist/policies/all.d.ts",
    "dist/cli/main.js",
    ...HANDLER_NAMES.map((name) => `dist/handlers/${name}/index.js`),
    "dist/handlers/shared/idempotency.js",
  ];
  const missing = required.filter((p) => !paths.includes(p));
  const leaked = paths.filter((p) =>
    /^(tests|bench|examples|scripts|policies|docs|handlers|components|model|cli)\/|\.test\.|\.tsbuildinfo$/.test(
      p,
    ),
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

/**
 * Checks (or, with --update-locks, refreshes) an example's lockfile entry for the tarball. `dir` is the
 * copy the example runs in; a refreshed lockfile is copied back to `source`, the committed example.
 */
function prepareLock(dir: string, source: string, pkg: PackageJson): void {
  const name = relative(ROOT, source);
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
    copyFileSync(lockFile, join(source, "package-lock.json"));
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
    copyFileSync(lockFile, join(source, "package-lock.json"));
  }
}

/** The version an example installed of a package, from its node_modules. */
function installedVersion(dir: string, name: string): string | undefined {
  const file = join(dir, "node_modules", name, "package.json");
  return existsSync(file) ? readJson<PackageJson>(file).version : undefined;
}

/**
 * Checks that the examples prove each required peer dependency's range at its lower end (some
 * example installs exactly the lowest version the range admits) and prints what each example ran.
 */
function provePeerRanges(pkg: PackageJson, installed: string[]): void {
  const optional = pkg.peerDependenciesMeta ?? {};
  const required = Object.entries(pkg.peerDependencies ?? {}).filter(([name]) => !optional[name]?.optional);
  const problems: string[] = [];
  for (const [name, range] of required) {
    const lowest = /^\^(\d+\.\d+\.\d+)$/.exec(range)?.[1];
    const versions = installed.map((dir) => [basename(dir), installedVersion(dir, name)] as const);
    console.log(
      `peer ${name} ${range}: ${versions.map(([example, version]) => `${version ?? "not installed"} (${example})`).join(", ")}`,
    );
    if (lowest === undefined) {
      problems.push(
        `${name}'s peer range "${range}" is not of the form ^x.y.z, so its lowest version is not tested`,
      );
    } else if (!versions.some(([, version]) => version === lowest)) {
      problems.push(
        `no example installs ${name}@${lowest}, the lowest version of the peer range ${range}: pin it in one example's ` +
          `package-lock.json (cd examples/minimal && npm install --package-lock-only ${name}@${lowest} && git checkout package.json)`,
      );
    }
  }
  if (problems.length > 0)
    throw new Error(`The peer dependency ranges are not proven: ${problems.join("; ")}.`);
}

/** Copies the tarball and the examples (without node_modules) into a temporary folder. */
function isolatedCopy(examples: string[]): { root: string; copies: string[] } {
  const root = mkdtempSync(join(tmpdir(), "s3-event-routes-examples-"));
  copyFileSync(join(ROOT, TARBALL), join(root, TARBALL));
  const copies = examples.map((dir) => {
    const copy = join(root, "examples", basename(dir));
    cpSync(dir, copy, {
      recursive: true,
      filter: (from) => !/[\\/](node_modules|\.serialized-provider-[^\\/]*)$/.test(from),
    });
    return copy;
  });
  return { root, copies };
}

function main(): void {
  const started = Date.now();
  const pkg = readJson<PackageJson>(join(ROOT, "package.json"));
  pack();
  const examples = readdirSync(join(ROOT, "examples"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ROOT, "examples", d.name, "package.json")))
    .map((d) => join(ROOT, "examples", d.name));
  if (examples.length === 0) throw new Error("No example under examples/ has a package.json.");
  const { root, copies } = isolatedCopy(examples);
  workRoot = root;
  console.log(
    `\nexamples run in ${root} (outside the repository, so nothing resolves from its node_modules)`,
  );
  const passed: string[] = [];
  const failed: string[] = [];
  const installed: string[] = [];
  for (const [i, dir] of copies.entries()) {
    try {
      prepareLock(dir, examples[i], pkg);
      run(dir, "npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"]);
      // node10 resolution (typesVersions), then node16 (exports). Every declaration file is checked
      // (--skipLibCheck false) in the leanest install only: there the package's typings must compile
      // without its optional peers, and checking all of @pulumi/aws's typings once is enough (it takes
      // minutes on a busy machine).
      const libCheck = basename(dir) === LEANEST_EXAMPLE ? ["--skipLibCheck", "false"] : [];
      run(dir, "npx", ["tsc", "--noEmit", "-p", ".", ...libCheck]);
      run(dir, "npx", ["tsc", "--noEmit", "-p", ".", "--module", "node16", "--moduleResolution", "node16"]);
      installed.push(dir);
      run(dir, "npx", ["mocha"]);
      passed.push(relative(ROOT, examples[i]));
    } catch (e) {
      console.error(`\n${e instanceof Error ? e.message : String(e)}`);
      failed.push(relative(ROOT, examples[i]));
    }
  }
  try {
    provePeerRanges(pkg, installed);
  } catch (e) {
    console.error(`\n${e instanceof Error ? e.message : String(e)}`);
    failed.push("peer dependency ranges");
  }
  rmSync(root, { recursive: true, force: true });
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
