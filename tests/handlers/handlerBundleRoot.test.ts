import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nativeModulesDir, packageRoot } from "../../components/handlerBundle";

const ROOT = join(__dirname, "..", "..");

/** Creates `<dir>/<path>/package.json` (and the directories on the way). */
function pkg(dir: string, path: string): void {
  mkdirSync(join(dir, path), { recursive: true });
  writeFileSync(join(dir, path, "package.json"), "{}");
}

describe("bundleHandler's defaults from an installed package", () => {
  let consumer: string;
  const installed = () => join(consumer, "node_modules", "s3-event-routes");

  beforeEach(() => {
    consumer = mkdtempSync(join(tmpdir(), "consumer-"));
    pkg(consumer, "node_modules/s3-event-routes");
    mkdirSync(join(installed(), "dist", "components"), { recursive: true });
  });

  afterEach(() => rmSync(consumer, { recursive: true, force: true }));

  it("finds the package root from the repository's components/ and the package's dist/components/", () => {
    assert.equal(packageRoot(join(ROOT, "components")), ROOT);
    assert.equal(packageRoot(join(installed(), "dist", "components")), installed());
  });

  it("takes sharp from the consumer's node_modules when npm hoisted it there", () => {
    pkg(consumer, "node_modules/sharp");
    assert.equal(nativeModulesDir(installed()), join(consumer, "node_modules"));
  });

  it("prefers the package's own node_modules when sharp is nested there", () => {
    pkg(consumer, "node_modules/sharp");
    pkg(installed(), "node_modules/sharp");
    assert.equal(nativeModulesDir(installed()), join(installed(), "node_modules"));
  });

  it("falls back to <projectRoot>/node_modules when no sharp is installed, so the error names it", () => {
    assert.equal(nativeModulesDir(installed()), join(installed(), "node_modules"));
  });
});
