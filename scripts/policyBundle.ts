/**
 * Builds the publishable policy pack: bundles `policies/index.ts` (and the route model it imports
 * from `components/`) with esbuild into one `index.js`, next to a `PulumiPolicy.yaml` and a
 * `package.json` that lists the pack's runtime dependencies (kept external: the Pulumi service
 * installs them). `pulumi policy publish` uploads a pack's folder, and `policies/` alone does not
 * hold the route model, hence the bundle.
 *
 *     node -r ts-node/register/transpile-only scripts/policyBundle.ts [<out dir>]   (default policies/dist-pack)
 *     pulumi policy publish policies/dist-pack
 */
import { build } from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const PACK = path.join(ROOT, "policies");

/** The pack's own package.json, as far as the bundle needs it. */
interface PackPackage {
  name: string;
  version: string;
  description?: string;
  license?: string;
  dependencies: Record<string, string>;
}

/** What {@link bundlePolicyPack} produced. */
export interface Bundle {
  /** The output directory. */
  outDir: string;
  /** The source files bundled in, relative to the repository root. */
  inputs: string[];
  /** The bundle's size in bytes. */
  bytes: number;
}

/** Bundles the pack into `outDir` (emptied first). */
export async function bundlePolicyPack(outDir = path.join(PACK, "dist-pack")): Promise<Bundle> {
  const pkg = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8")) as PackPackage;
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, "index.js");
  const result = await build({
    entryPoints: [path.join(PACK, "index.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: Object.keys(pkg.dependencies),
    metafile: true,
    logLevel: "silent",
    legalComments: "none",
  });
  fs.copyFileSync(path.join(PACK, "PulumiPolicy.yaml"), path.join(outDir, "PulumiPolicy.yaml"));
  const published = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    main: "index.js",
    dependencies: pkg.dependencies,
  };
  fs.writeFileSync(path.join(outDir, "package.json"), `${JSON.stringify(published, null, 2)}\n`);
  return {
    outDir,
    inputs: Object.keys(result.metafile.inputs).sort(),
    bytes: fs.statSync(outfile).size,
  };
}

if (require.main === module) {
  bundlePolicyPack(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then(
    (b) => {
      process.stdout.write(
        `policy pack bundled into ${path.relative(process.cwd(), b.outDir) || "."} ` +
          `(${b.inputs.length} source files, ${(b.bytes / 1024).toFixed(1)} KiB); publish with: ` +
          `pulumi policy publish ${path.relative(process.cwd(), b.outDir)}\n`,
      );
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
