/**
 * Where this package is installed, and what its package.json declares: read by the handler bundler
 * (the handlers, the peer ranges it names in install commands) and by the command. No Pulumi import,
 * so the command can use it before the program's own `@pulumi/pulumi` is in place.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The root of this package: the nearest directory above `from` that holds a package.json
 * (`components/` in the repository, `dist/components/` in the published package).
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`bundleHandler: no package.json at or above ${from}.`);
  }
}

/** The fields of this package's package.json that the bundler and the command read. */
export interface PackageManifest {
  /** The version. */
  version: string;
  /** Peer dependencies and their ranges. */
  peerDependencies?: Record<string, string>;
}

/** This package's package.json. */
export function packageManifest(): PackageManifest {
  return JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as PackageManifest;
}

/** The range this package declares for a peer dependency, for an install command. */
export function peerRange(name: string): string | undefined {
  return packageManifest().peerDependencies?.[name];
}
