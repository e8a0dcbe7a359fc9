/**
 * Where the local loop finds a reference handler's source: `handlers/<name>/index.ts` in the
 * installed package (the package ships its handlers' TypeScript for the bundler). From the
 * repository's sources they load through the ts-node the command runs under; from the package's
 * build, a ts-node instance of their own compiles them — files inside `node_modules`, which the
 * project's compiler leaves alone — with the settings the package's handlers are written for.
 */
import { extname, join } from "node:path";
import { packageRoot } from "../packageRoot";

interface TsNode {
  register(options: Record<string, unknown>): unknown;
}

let registered = false;

/** The compiler options the handlers are written for (the repository's tsconfig.json, in short). */
const HANDLER_COMPILER_OPTIONS = {
  target: "ES2022",
  module: "commonjs",
  moduleResolution: "node",
  esModuleInterop: true,
  resolveJsonModule: true,
  skipLibCheck: true,
} as const;

/**
 * The absolute path of a reference handler's entry module, ready to `require`.
 *
 * @param name - the handler's folder under handlers/ (e.g. `thumbnail`).
 */
export function handlerSource(name: string): string {
  const root = packageRoot();
  if (extname(__filename) !== ".ts" && !registered) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tsNode = require("ts-node") as TsNode;
    tsNode.register({
      transpileOnly: true,
      skipProject: true,
      compilerOptions: HANDLER_COMPILER_OPTIONS,
      // Registered last, it is asked first; it compiles only the package's own files.
      scope: true,
      scopeDir: root,
      ignore: [],
    });
    registered = true;
  }
  return join(root, "handlers", name, "index.ts");
}
