/**
 * Prepares the checker's child process to run a program the way Pulumi's Node.js language host
 * would (`@pulumi/pulumi` `cmd/run/run.ts`), next to the checker's own code:
 *
 * - the program's TypeScript is compiled with its own tsconfig.json (the checker's code keeps the
 *   checker's), or with the host's defaults when it has none;
 * - an ES module project (`"type": "module"`) is loaded with `import()` through ts-node's ESM
 *   hooks, as the host does (a `--loader ts-node/esm` in Pulumi.yaml's nodeargs asks for the same);
 * - the checker's mock engine uses the `@pulumi/pulumi` the program resolves — its own, when it has
 *   its own `node_modules` — so that the program registers with the mocks and not with a monitor
 *   that does not exist.
 */
import Module from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { HOST_DEFAULT_COMPILER_OPTIONS, ProgramProject } from "./project";

interface TsNodeService {
  ignored(fileName: string): boolean;
}

interface TsNode {
  register(options: Record<string, unknown>): TsNodeService;
}

const inside = (dir: string, file: string) => {
  const rel = path.relative(dir, file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
};

/** The command's own modules (cli/ and the mock engine) whose `@pulumi/pulumi` must be the program's. */
const CHECKER_DIRS = [
  path.resolve(__dirname, "..", "..", "components", "testing"),
  path.resolve(__dirname, ".."),
];

type ResolveFilename = (
  request: string,
  parent: { filename?: string } | undefined,
  ...rest: unknown[]
) => string;

/**
 * Makes the checker's mock engine resolve `@pulumi/pulumi` from the program's directory.
 */
function shareProgramSdk(dir: string): void {
  const mod = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = mod._resolveFilename;
  mod._resolveFilename = function (request, parent, ...rest) {
    if (
      /^@pulumi\/pulumi(\/|$)/.test(request) &&
      parent?.filename !== undefined &&
      CHECKER_DIRS.some((d) => inside(d, parent.filename as string))
    ) {
      return original.call(this, request, parent, rest[0], { paths: [dir] });
    }
    return original.call(this, request, parent, ...rest);
  };
}

/** ts-node's options for the program: its tsconfig, or the host's defaults. */
function compilerSettings(runtime: Pick<ProgramProject, "tsconfig">): Record<string, unknown> {
  return runtime.tsconfig
    ? { project: runtime.tsconfig, skipProject: false }
    : { skipProject: true, compilerOptions: HOST_DEFAULT_COMPILER_OPTIONS };
}

// `import()` kept as is: this module is compiled to CommonJS, where TypeScript would turn it into require().
const dynamicImport = new Function("u", "return import(u)") as (url: string) => Promise<unknown>;

/**
 * Installs the program's compiler and SDK sharing; returns how to load one of its files.
 */
export function prepareProgramRuntime(
  runtime: Pick<ProgramProject, "dir" | "esm" | "tsconfig">,
): (file: string) => unknown {
  shareProgramSdk(runtime.dir);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tsNode = require("ts-node") as TsNode;
  const checker = (process as unknown as Record<symbol, TsNodeService | undefined>)[
    Symbol.for("ts-node.register.instance")
  ];
  if (runtime.esm) {
    // The hooks run in a loader thread that reads ts-node's settings from the environment.
    const settings = compilerSettings(runtime);
    process.env.TS_NODE_TRANSPILE_ONLY = "true";
    if (settings.project) process.env.TS_NODE_PROJECT = settings.project as string;
    else {
      delete process.env.TS_NODE_PROJECT;
      process.env.TS_NODE_SKIP_PROJECT = "true";
      process.env.TS_NODE_COMPILER_OPTIONS = JSON.stringify(settings.compilerOptions);
    }
    const register = (Module as unknown as { register?: (s: string, parent: string) => void }).register;
    if (typeof register !== "function")
      throw new Error(`ES module programs need Node.js 20.6 or later (this is ${process.version}).`);
    register(require.resolve("ts-node/esm"), pathToFileURL(__filename).href);
    return (file) => dynamicImport(pathToFileURL(file).href);
  }
  if (runtime.dir !== path.resolve(__dirname, "..", "..")) {
    // The program's own compiler handles its files (registered last, it is asked first); the
    // checker's leaves them to it.
    tsNode.register({
      ...compilerSettings(runtime),
      transpileOnly: true,
      scope: true,
      scopeDir: runtime.dir,
    });
    if (checker) {
      const own = checker.ignored.bind(checker);
      checker.ignored = (f: string) => own(f) || inside(runtime.dir, f);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (file) => require(file);
}
