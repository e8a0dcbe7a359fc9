/**
 * Where the package itself is installed (the directory of its package.json), and the rule that the
 * command never writes there nor anywhere inside a `node_modules`: a consumer's install must stay
 * as npm left it.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** The package's name, as package.json declares it. */
export const PACKAGE_NAME = "s3-event-routes";

/** The command's name (the package's `bin`). */
export const BIN = PACKAGE_NAME;

let root: string | undefined;

/** The package's root: the nearest directory above this module whose package.json is the package's. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = __dirname;
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, "utf8")) as { name?: unknown }).name === PACKAGE_NAME)
          return (root = dir);
      } catch {
        // Not ours: keep looking.
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`${__dirname} is not inside the ${PACKAGE_NAME} package.`);
    dir = up;
  }
}

/** The package's version. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string })
    .version;
}

const inside = (dir: string, file: string) => {
  const rel = relative(dir, file);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep) && resolve(dir, rel) === file);
};

/**
 * Checks that the command may write `file`: not inside a `node_modules` directory, and not inside
 * the installed package (unless the package is the project itself, as in its own repository).
 *
 * @throws Error naming the file and the option that moves it.
 */
export function assertWritable(file: string, projectDir: string, option: string): void {
  const abs = resolve(file);
  const pkg = packageRoot();
  if (abs.split(sep).includes("node_modules") || (pkg !== resolve(projectDir) && inside(pkg, abs)))
    throw new Error(
      `${abs} is inside an installed package: the command never writes there. Pass ${option} <file> in your project.`,
    );
}
