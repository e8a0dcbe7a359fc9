/**
 * Bundles a reference handler (handlers/<name>/index.ts) for Lambda's `nodejs22.x` runtime with
 * esbuild, and packages the native modules esbuild cannot bundle.
 *
 * - Two CommonJS files: `index.js`, exporting `handler`, and `idempotency.js`, the optional
 *   idempotency layer (Powertools idempotency, its DynamoDB persistence layer and jmespath), which
 *   `index.js` requires only when IDEMPOTENCY_TABLE is set (handlers/shared/idempotencySettings), so
 *   a handler without a table neither loads nor carries it in `index.js`. `@aws-sdk/*` left external
 *   (the runtime provides SDK v3); minified; no source map unless asked.
 * - sharp (thumbnail, metadata) is native: it stays external and its package, its JavaScript
 *   dependencies and the prebuilt `@img/sharp-linux-<cpu>` + `@img/sharp-libvips-linux-<cpu>`
 *   packages for the Lambda architecture (linux, glibc) are copied into `node_modules/` of the
 *   archive. When those platform packages are not installed the bundler throws, naming the
 *   package and the npm command that installs it, instead of shipping a zip that fails at cold start.
 * - Bundles are cached per process: one esbuild run per handler, architecture and option set.
 * - esbuild, sharp and what the handlers' sources import (Powertools, exifr) are optional peer
 *   dependencies of the package: a program that deploys no reference handler installs none of them.
 *   They are looked up when a handler is bundled, and a missing one fails with the exact
 *   `npm install` command (see {@link missingHandlerPackages}), never with esbuild's "Could not resolve".
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, parse, relative, sep } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { packageRoot, peerRange } from "./packageRoot";

export { packageRoot } from "./packageRoot";
import type * as esbuild from "esbuild";

/** The reference handlers that can be bundled. */
export const HANDLER_NAMES = ["thumbnail", "metadata", "replicate", "queue-consumer"] as const;

/** A reference handler's name: its directory under handlers/. */
export type HandlerName = (typeof HANDLER_NAMES)[number];

/** A Lambda instruction set architecture, as `aws.lambda.Function` names it. */
export type LambdaArchitecture = "x86_64" | "arm64";

/** How to bundle. */
export interface BundleOptions {
  /** The Lambda architecture native packages are chosen for. Default `"x86_64"` (Lambda's default). */
  architecture?: LambdaArchitecture;
  /** Also write `index.js.map` (external source map). Default false. */
  sourcemap?: boolean;
  /** Minify `index.js`. Default true. */
  minify?: boolean;
  /**
   * The directory holding the handlers: their sources `handlers/<name>/index.ts` (this repository),
   * else their build `dist/handlers/<name>/index.js` (the installed package, which ships the build
   * and no sources). Default: the root of this package, found from this module's own location.
   */
  projectRoot?: string;
  /**
   * Where native packages (sharp and its platform packages) are taken from. Default: the nearest
   * `node_modules` at or above `projectRoot` that holds `sharp`, as Node resolves it (an installed
   * package's dependencies are usually hoisted into the consumer's `node_modules`); when none does,
   * `<projectRoot>/node_modules`.
   */
  nodeModules?: string;
}

/**
 * The idempotency layer's file in the archive, beside `index.js`: what
 * `import("./idempotency")` in handlers/shared/idempotencySettings.ts loads at run time.
 */
export const IDEMPOTENCY_FILE = "idempotency.js";

/** The idempotency layer's module, from the handlers' directory. */
const IDEMPOTENCY_MODULE = ["shared", "idempotency"] as const;

/**
 * Where a handler module is, from the package root: its TypeScript source when the sources are
 * there (this repository), else its compiled JavaScript (the installed package).
 *
 * @param parts - the path under handlers/, without extension (e.g. `["thumbnail", "index"]`).
 * @internal
 */
export function handlerModule(projectRoot: string, parts: readonly string[]): string {
  const source = join(projectRoot, "handlers", ...parts) + ".ts";
  return existsSync(source) ? source : join(projectRoot, "dist", "handlers", ...parts) + ".js";
}

/**
 * The specifier handlers/shared/idempotencySettings.ts loads the layer with: left as it is in
 * `index.js` (external), where it names {@link IDEMPOTENCY_FILE}, since both files sit at the archive root.
 */
const IDEMPOTENCY_SPECIFIER = "./idempotency";

/** A bundled handler, ready for `aws.lambda.Function`'s `code`, `handler` and `runtime`. */
export interface HandlerBundle {
  /**
   * The archive: `index.js` and `idempotency.js` (+ their `.map` files when asked) and, for native
   * handlers, `node_modules/...`.
   */
  code: pulumi.asset.AssetArchive;
  /** The handler setting. */
  handler: "index.handler";
  /** The runtime setting. */
  runtime: "nodejs22.x";
  /** Uncompressed bytes of every file in the archive (Lambda allows 262,144,000 unzipped). */
  size: number;
  /** Every file in the archive and its size in bytes, by archive path. */
  files: Readonly<Record<string, number>>;
}

/** Lambda's limit on a function's unzipped deployment package, in bytes. */
export const LAMBDA_UNZIPPED_LIMIT = 262_144_000;

/** Native modules each handler needs beside its bundle. */
const NATIVE_MODULES: Readonly<Record<HandlerName, readonly string[]>> = {
  thumbnail: ["sharp"],
  metadata: ["sharp"],
  replicate: [],
  "queue-consumer": [],
};

/** What bundles every reference handler, and what every handler's source imports (handlers/shared). */
const COMMON_PACKAGES = [
  "esbuild",
  "@aws-lambda-powertools/batch",
  "@aws-lambda-powertools/idempotency",
  "@aws-lambda-powertools/logger",
] as const;

/** What one handler imports beyond {@link COMMON_PACKAGES}. */
const HANDLER_PACKAGES: Readonly<Record<HandlerName, readonly string[]>> = {
  thumbnail: ["sharp"],
  metadata: ["sharp", "exifr"],
  replicate: [],
  "queue-consumer": [],
};

/**
 * The optional peer dependencies of this package that bundling a reference handler needs: esbuild,
 * the packages its source imports (bundled into `index.js`), and sharp for the image handlers.
 *
 * @internal
 */
export function handlerPackages(name: HandlerName): string[] {
  return [...COMMON_PACKAGES, ...HANDLER_PACKAGES[name]];
}

const CPU: Readonly<Record<LambdaArchitecture, string>> = { x86_64: "x64", arm64: "arm64" };

/** Files a Lambda never loads: type declarations, ESM twins of CJS files, C++ sources, docs. */
const EXCLUDED_FILE = /(\.d\.[cm]?ts|\.mjs|\.cc|\.h|\.gyp|\.map)$|(^|\/)(README|CHANGELOG)(\.md)?$/i;
const EXCLUDED_DIR = new Set(["install", "src", "node_modules"]);

const cache = new Map<string, HandlerBundle>();

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readPackage = (dir: string): PackageJson => JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));

/** Finds a package the way Node resolves it from `fromDir`: nearest node_modules first, up to `top`. */
function findPackage(name: string, fromDir: string, top: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === top || dirname(dir) === dir) return undefined;
  }
}

function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!EXCLUDED_DIR.has(entry.name)) out.push(...listFiles(join(dir, entry.name), rel));
    } else if (!EXCLUDED_FILE.test(rel)) {
      out.push(rel);
    }
  }
  return out;
}

function missingNative(
  name: HandlerName,
  options: Required<BundleOptions>,
  pkg: string,
  version: string,
  sharpVersion: string,
): Error {
  const cpu = CPU[options.architecture];
  return new Error(
    `bundleHandler("${name}", { architecture: "${options.architecture}" }): sharp needs ${pkg}@${version} for Lambda ` +
      `${options.architecture} (linux, glibc), and it is not installed in ${options.nodeModules}. A zip without it fails at ` +
      `cold start with 'Could not load the "sharp" module using the linux-${cpu} runtime'. Install it next to sharp with: ` +
      `npm install --os=linux --cpu=${cpu} --libc=glibc sharp@${sharpVersion}`,
  );
}

/** The directories (with their archive paths) sharp needs for one architecture. */
function sharpPackages(
  name: HandlerName,
  options: Required<BundleOptions>,
): { dir: string; archivePath: string }[] {
  const modules = options.nodeModules;
  const sharpDir = join(modules, "sharp"); // there: checked by requireHandlerPackages
  const sharp = readPackage(sharpDir);
  const cpu = CPU[options.architecture];
  const platformName = `@img/sharp-linux-${cpu}`;
  const platformVersion = sharp.optionalDependencies?.[platformName];
  if (platformVersion === undefined) {
    throw new Error(
      `bundleHandler("${name}"): sharp ${sharp.version} lists no ${platformName}; this sharp cannot run on Lambda ${options.architecture}.`,
    );
  }
  const platformDir = findPackage(platformName, sharpDir, dirname(modules));
  if (!platformDir || readPackage(platformDir).version !== platformVersion) {
    throw missingNative(name, options, platformName, platformVersion, sharp.version);
  }
  const platform = readPackage(platformDir);
  const libvipsName = `@img/sharp-libvips-linux-${cpu}`;
  const libvipsVersion = platform.optionalDependencies?.[libvipsName];
  const libvipsDir = libvipsVersion ? findPackage(libvipsName, platformDir, dirname(modules)) : undefined;
  if (libvipsVersion === undefined || !libvipsDir || readPackage(libvipsDir).version !== libvipsVersion) {
    throw missingNative(name, options, libvipsName, libvipsVersion ?? "(unknown)", sharp.version);
  }

  const found = new Map<string, string>([
    ["sharp", sharpDir],
    [platformName, platformDir],
    [libvipsName, libvipsDir],
  ]);
  const pending: [string, string][] = Object.keys(sharp.dependencies ?? {}).map((dep) => [dep, sharpDir]);
  while (pending.length > 0) {
    const [dep, from] = pending.shift()!;
    if (found.has(dep)) continue;
    const dir = findPackage(dep, from, dirname(modules));
    if (!dir)
      throw new Error(
        `bundleHandler("${name}"): ${dep}, a dependency of sharp, is not installed in ${modules}.`,
      );
    found.set(dep, dir);
    for (const next of Object.keys(readPackage(dir).dependencies ?? {})) pending.push([next, dir]);
  }
  return [...found.values()].map((dir) => ({
    dir,
    archivePath: `node_modules/${relative(modules, dir).split(sep).join("/")}`,
  }));
}

/** The `node_modules` directory Node would load sharp from, starting at `projectRoot`. */
export function nativeModulesDir(projectRoot: string): string {
  for (let dir = projectRoot; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules");
    if (existsSync(join(candidate, "sharp", "package.json"))) return candidate;
    if (dirname(dir) === dir) return join(projectRoot, "node_modules");
  }
}

/**
 * The packages {@link handlerPackages} lists that are not installed where they are looked up: esbuild
 * where Node resolves it from this module, sharp in `nodeModules`, the rest where esbuild resolves the
 * handler's imports (from the handler's directory upwards).
 *
 * @internal
 */
export function missingHandlerPackages(name: HandlerName, options?: BundleOptions): string[] {
  const resolved = resolveOptions(options);
  const from = dirname(handlerModule(resolved.projectRoot, [name, "index"]));
  const top = parse(from).root;
  return handlerPackages(name).filter((pkg) => {
    if (pkg === "esbuild") return !loadable("esbuild");
    if (pkg === "sharp") return !existsSync(join(resolved.nodeModules, "sharp", "package.json"));
    return findPackage(pkg, from, top) === undefined;
  });
}

/** Whether Node can load a package from this module. */
function loadable(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/**
 * Throws when a package bundling `name` needs is not installed: the error names the owner (the
 * function or component the user called), every missing package and the command that installs them.
 *
 * @internal
 */
export function requireHandlerPackages(owner: string, name: HandlerName, options?: BundleOptions): void {
  const missing = missingHandlerPackages(name, options);
  if (missing.length === 0) return;
  const specs = missing.map((pkg) => {
    const range = peerRange(pkg);
    return range ? `${pkg}@${range}` : pkg;
  });
  throw new Error(
    `${owner}: the ${name} reference handler is bundled when the program runs and needs ${missing.join(", ")}, ` +
      `which ${missing.length === 1 ? "is" : "are"} not installed (optional peer dependencies of s3-event-routes, ` +
      `left out for programs without reference handlers). Install ${missing.length === 1 ? "it" : "them"} with: ` +
      `npm install ${specs.join(" ")}`,
  );
}

function resolveOptions(options: BundleOptions | undefined): Required<BundleOptions> {
  const projectRoot = options?.projectRoot ?? packageRoot();
  return {
    architecture: options?.architecture ?? "x86_64",
    sourcemap: options?.sourcemap ?? false,
    minify: options?.minify ?? true,
    projectRoot,
    nodeModules: options?.nodeModules ?? nativeModulesDir(projectRoot),
  };
}

/**
 * Bundles handlers/<name>/index.ts for Lambda (`nodejs22.x`, `index.handler`), with the native
 * packages it needs for the chosen architecture. Cached per process.
 *
 * @param name - which reference handler.
 * @param options - architecture (default x86_64), source map (default off), minify (default on).
 * @throws Error naming the missing packages (esbuild, Powertools, exifr, sharp and sharp's
 *   Lambda platform packages) and the npm command that installs them; Error for an unknown handler
 *   name or a package above Lambda's unzipped size limit.
 */
export function bundleHandler(name: HandlerName, options?: BundleOptions): HandlerBundle {
  if (!(HANDLER_NAMES as readonly string[]).includes(name)) {
    throw new Error(
      `bundleHandler: unknown handler "${name}"; expected one of ${HANDLER_NAMES.map((n) => `"${n}"`).join(", ")}.`,
    );
  }
  const resolved = resolveOptions(options);
  if (resolved.architecture !== "x86_64" && resolved.architecture !== "arm64") {
    throw new Error(
      `bundleHandler("${name}"): unknown architecture "${resolved.architecture}"; expected "x86_64" or "arm64".`,
    );
  }
  const cacheKey = JSON.stringify([name, resolved]);
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  requireHandlerPackages(`bundleHandler("${name}")`, name, resolved);

  const natives = NATIVE_MODULES[name];
  const packages = natives.includes("sharp") ? sharpPackages(name, resolved) : [];

  const entry = handlerModule(resolved.projectRoot, [name, "index"]);
  if (!existsSync(entry)) throw new Error(`bundleHandler("${name}"): ${entry} does not exist.`);
  const layer = handlerModule(resolved.projectRoot, IDEMPOTENCY_MODULE);
  if (!existsSync(layer)) throw new Error(`bundleHandler("${name}"): ${layer} does not exist.`);
  // Loaded here, not at the top: esbuild is an optional peer dependency (checked just above).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildSync } = require("esbuild") as typeof esbuild;
  const build = (source: string, file: string, external: string[]) =>
    buildSync({
      entryPoints: [source],
      absWorkingDir: resolved.projectRoot,
      bundle: true,
      platform: "node",
      target: "node22",
      format: "cjs",
      external: ["@aws-sdk/*", ...natives, ...external],
      // import() becomes require(): "./idempotency" then finds idempotency.js (ESM import() would not).
      supported: { "dynamic-import": false },
      minify: resolved.minify,
      sourcemap: resolved.sourcemap ? "external" : false,
      outfile: join(resolved.projectRoot, "dist", name, file),
      write: false,
      logLevel: "silent",
    }).outputFiles.map((output) => ({
      archivePath: output.path.endsWith(".map") ? `${file}.map` : file,
      output,
    }));
  const outputs = [
    ...build(entry, "index.js", [IDEMPOTENCY_SPECIFIER]),
    ...build(layer, IDEMPOTENCY_FILE, []),
  ];

  const assets: Record<string, pulumi.asset.Asset> = {};
  const files: Record<string, number> = {};
  for (const { archivePath, output } of outputs) {
    assets[archivePath] = new pulumi.asset.StringAsset(output.text);
    files[archivePath] = output.contents.byteLength;
  }
  for (const { dir, archivePath } of packages) {
    for (const file of listFiles(dir)) {
      const source = join(dir, file);
      assets[`${archivePath}/${file}`] = new pulumi.asset.FileAsset(source);
      files[`${archivePath}/${file}`] = statSync(source).size;
    }
  }
  const size = Object.values(files).reduce((sum, bytes) => sum + bytes, 0);
  if (size > LAMBDA_UNZIPPED_LIMIT) {
    throw new Error(
      `bundleHandler("${name}"): the package is ${size} bytes unzipped; Lambda accepts at most ${LAMBDA_UNZIPPED_LIMIT}.`,
    );
  }
  const bundle: HandlerBundle = {
    code: new pulumi.asset.AssetArchive(assets),
    handler: "index.handler",
    runtime: "nodejs22.x",
    size,
    files,
  };
  cache.set(cacheKey, bundle);
  return bundle;
}

/**
 * Writes a bundle's files into a directory (for inspection, the benchmark, or a local run):
 * `index.js`, `idempotency.js` and, for native handlers, `node_modules/...`.
 *
 * @param bundle - what {@link bundleHandler} returned.
 * @param dir - the target directory, created if needed.
 */
export async function writeBundle(bundle: HandlerBundle, dir: string): Promise<void> {
  const assets = await bundle.code.assets;
  for (const [archivePath, asset] of Object.entries(assets)) {
    const target = join(dir, ...archivePath.split("/"));
    mkdirSync(dirname(target), { recursive: true });
    if (asset instanceof pulumi.asset.StringAsset) {
      writeFileSync(target, (await asset.text) ?? "");
    } else if (asset instanceof pulumi.asset.FileAsset) {
      writeFileSync(target, readFileSync((await asset.path) ?? ""));
    } else {
      throw new Error(`writeBundle: ${archivePath} is neither a StringAsset nor a FileAsset.`);
    }
  }
}
