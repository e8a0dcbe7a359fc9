/**
 * A Pulumi program as the Node.js language host sees it: its project file (Pulumi.yaml `main`,
 * `runtime.options`), its package (`"type": "module"` or CommonJS, its entry point), its
 * `tsconfig.json` (or the host's defaults when it has none) and the dependencies it runs with —
 * its own `node_modules` when it has them. Read once per project, by the checker and the plan.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** A package the program runs with. */
export interface ResolvedPackage {
  /** The package name. */
  name: string;
  /** Its version. */
  version: string;
  /** The directory it was resolved in. */
  dir: string;
  /** True when it is the program's own (resolved inside the program's directory), not the checker's. */
  own: boolean;
}

/** What the Node.js language host would run. */
export interface ProgramProject {
  /** The directory holding Pulumi.yaml. */
  dir: string;
  /** The project name. */
  name: string;
  /** The program's entry file (absolute). */
  entry: string;
  /** True for an ES module project (package.json `"type": "module"`, or an `.mts`/`.mjs` entry). */
  esm: boolean;
  /** The tsconfig.json the program is compiled with, or undefined (the host's defaults then apply). */
  tsconfig?: string;
  /** Extra node arguments from Pulumi.yaml `runtime.options.nodeargs`, minus loaders the checker provides itself. */
  nodeArgs: string[];
  /** Loaders Pulumi.yaml asks for that the checker provides itself (ts-node's), for the report. */
  replacedLoaders: string[];
  /** @pulumi/pulumi and @pulumi/aws as the program resolves them. */
  packages: ResolvedPackage[];
}

/** The compiler options Pulumi's Node.js host uses when a program has no tsconfig.json. */
export const HOST_DEFAULT_COMPILER_OPTIONS = {
  target: "ES2020",
  module: "nodenext",
  moduleResolution: "nodenext",
  sourceMap: true,
} as const;

const isMapping = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Splits a nodeargs string as a shell would split plain words and quotes. */
export function splitArgs(s: string): string[] {
  return [...s.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** The nearest package.json at or above `dir`, up to `stop` (inclusive). */
function packageJsonOf(dir: string): Record<string, unknown> | undefined {
  let d = dir;
  for (;;) {
    const file = path.join(d, "package.json");
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    }
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/** The version of `name` as code in `from` resolves it, or undefined when it resolves nowhere. */
export function resolvePackage(name: string, from: string): ResolvedPackage | undefined {
  try {
    const file = require.resolve(`${name}/package.json`, { paths: [from] });
    const version = (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
    const dir = path.dirname(file);
    return { name, version, dir, own: !path.relative(from, dir).startsWith("..") };
  } catch {
    return undefined;
  }
}

/** True when the compiler resolves from the command's own location (ts-node falls back to it). */
function compilerBesideCommand(): boolean {
  try {
    require.resolve("typescript");
    return true;
  } catch {
    return false;
  }
}

function entryIn(dir: string): string | undefined {
  for (const f of ["index.ts", "index.mts", "index.js", "index.mjs"]) {
    if (existsSync(path.join(dir, f))) return path.join(dir, f);
  }
  return undefined;
}

/**
 * Reads the project at `dir` (holding Pulumi.yaml). `program`, when given, is the file to run
 * instead of the project's entry point (the checker's corpus runs several programs of one project).
 *
 * @throws Error with one clear sentence when the project cannot be run: no entry point, a main that
 *   does not exist, a `runtime.options.typescript: false` project with TypeScript sources.
 */
export function readProject(dir: string, program?: string): ProgramProject {
  const projectFile = path.join(dir, "Pulumi.yaml");
  const doc = (parse(readFileSync(projectFile, "utf8")) ?? {}) as Record<string, unknown>;
  const name = typeof doc.name === "string" ? doc.name : path.basename(dir);
  const runtime = doc.runtime;
  const options = isMapping(runtime) && isMapping(runtime.options) ? runtime.options : {};
  const pkg = packageJsonOf(dir) ?? {};
  let entry: string | undefined;
  if (program) entry = path.resolve(program);
  else {
    const main = typeof doc.main === "string" ? path.resolve(dir, doc.main) : undefined;
    const base = main ?? dir;
    if (main && !existsSync(main))
      throw new Error(`${projectFile}: main "${String(doc.main)}" does not exist in ${dir}.`);
    entry = existsSync(base) && statSync(base).isDirectory() ? entryIn(base) : base;
    if (entry === undefined && typeof pkg.main === "string") {
      const fromPkg = path.resolve(dir, pkg.main);
      const ts = fromPkg.replace(/\.js$/, ".ts");
      entry = existsSync(fromPkg) ? fromPkg : existsSync(ts) ? ts : undefined;
    }
    if (entry === undefined)
      throw new Error(`${dir} has no index.ts (or index.js) and Pulumi.yaml names no main: nothing to run.`);
  }
  if (/\.[cm]?ts$/.test(entry) && !resolvePackage("typescript", dir) && !compilerBesideCommand())
    throw new Error(
      `${entry} is TypeScript, and the typescript compiler cannot be resolved from ${dir}: npm install --save-dev typescript there.`,
    );
  const esm = pkg.type === "module" || /\.m[tj]s$/.test(entry);
  const tsconfigName = typeof options.tsconfig === "string" ? options.tsconfig : "tsconfig.json";
  const tsconfigPath = path.resolve(dir, tsconfigName);
  if (typeof options.tsconfig === "string" && !existsSync(tsconfigPath))
    throw new Error(`${projectFile}: runtime.options.tsconfig "${options.tsconfig}" does not exist.`);
  const nodeArgs: string[] = [];
  const replacedLoaders: string[] = [];
  const raw = typeof options.nodeargs === "string" ? splitArgs(options.nodeargs) : [];
  for (let i = 0; i < raw.length; i++) {
    const a = raw[i];
    const loader =
      /^--(loader|experimental-loader|import|require)(=(.*))?$/.exec(a) ??
      (a === "-r" ? [a, "require"] : null);
    if (loader) {
      const value = loader[3] ?? raw[++i] ?? "";
      if (/^ts-node(\/|$)/.test(value)) replacedLoaders.push(`${a.split("=")[0]} ${value}`);
      else nodeArgs.push(`--${loader[1] === "-r" ? "require" : loader[1]}=${value}`);
      continue;
    }
    nodeArgs.push(a);
  }
  const packages = ["@pulumi/pulumi", "@pulumi/aws"].flatMap((n) => resolvePackage(n, dir) ?? []);
  return {
    dir,
    name,
    entry,
    esm,
    ...(existsSync(tsconfigPath) ? { tsconfig: tsconfigPath } : {}),
    nodeArgs,
    replacedLoaders,
    packages,
  };
}

/** How the report names the dependencies a program ran with, e.g. `@pulumi/pulumi 3.113.0 (the program's own)`. */
export function describePackages(packages: readonly ResolvedPackage[]): string {
  return packages.map((p) => `${p.name} ${p.version}${p.own ? " (the program's own)" : ""}`).join(", ");
}
