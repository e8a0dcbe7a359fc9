/** plan --json shows assets and archives as hash, size and entries, never their contents. */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { withoutAssetContents } from "../../cli/assetSummary";

const SIG = "4dabf18193072939515e22adb298388d";
const asset = (text: string) => ({ [SIG]: "c44067f5952c0a294b673a41bacd8c17", text });
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

describe("plan --json's assets", () => {
  it("replaces an archive by its entries' hashes and sizes, and a hash over them in name order", () => {
    const code = {
      [SIG]: "0def7320c3a5731c473e5ecbe6d01bc7",
      assets: { "index.js": asset("x".repeat(1000)), "a.js": asset("é") },
    };
    const out = withoutAssetContents({ handler: "index.handler", code, tags: ["t"] }) as Record<
      string,
      unknown
    >;
    const combined = sha(`a.js\0${sha("é")}\0index.js\0${sha("x".repeat(1000))}\0`);
    assert.deepEqual(out, {
      handler: "index.handler",
      tags: ["t"],
      code: {
        archive: {
          sha256: combined,
          size: 1002,
          entries: {
            "a.js": { sha256: sha("é"), size: 2 },
            "index.js": { sha256: sha("x".repeat(1000)), size: 1000 },
          },
        },
      },
    });
    assert.ok(!JSON.stringify(out).includes("xxxx"));
  });

  it("leaves every other value as it is", () => {
    const inputs = { name: "q", policy: '{"Statement":[]}', n: 3, nested: { list: [{ a: null }] } };
    assert.deepEqual(withoutAssetContents(inputs), inputs);
  });
});
