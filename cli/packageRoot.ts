/**
 * The command's name, its version, and the rule that it never writes inside the installed package
 * nor anywhere inside a `node_modules`: a consumer's install must stay as npm left it.
 */
import { relative, resolve, sep } from "node:path";
import { packageManifest, packageRoot } from "../components/packageRoot";

export { packageRoot };

/** The command's name (the package's `bin`). */
export const BIN = "s3-event-routes";

/** The package's version. */
export function packageVersion(): string {
  return packageManifest().version;
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
