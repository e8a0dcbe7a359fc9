/**
 * The publishable pack: `scripts/policyBundle.ts` builds a self-contained folder, and that folder,
 * started as the Pulumi CLI starts a pack (`node index.js` in the pack's folder), serves the pack's
 * policies over the analyzer gRPC protocol.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzerInfo, EnforcementLevel } from "@pulumi/pulumi/proto/analyzer_pb";
import { policies } from "../../policies/all";
import { bundlePolicyPack } from "../../scripts/policyBundle";
import { ROOT } from "./checker";

const LEVEL_NAMES: Record<number, string> = {
  [EnforcementLevel.ADVISORY]: "advisory",
  [EnforcementLevel.MANDATORY]: "mandatory",
  [EnforcementLevel.DISABLED]: "disabled",
  [EnforcementLevel.REMEDIATE]: "remediate",
};

describe("the bundled policy pack (npm run policy:bundle)", function () {
  this.timeout(60_000);
  let dir: string;
  let pack: ChildProcess | undefined;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-"));
  });

  after(() => {
    if (pack?.pid !== undefined && pack.exitCode === null) process.kill(pack.pid);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is a self-contained folder: PulumiPolicy.yaml, package.json with the runtime dependencies, one index.js", async () => {
    const bundle = await bundlePolicyPack(dir);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["PulumiPolicy.yaml", "index.js", "package.json"]);
    assert.ok(bundle.inputs.includes("model/routeModel.ts"), bundle.inputs.join(", "));
    assert.ok(
      bundle.inputs.every((f) => /^(policies|model|components)\//.test(f)),
      bundle.inputs.join(", "),
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
      main: string;
      version: string;
      dependencies: Record<string, string>;
    };
    assert.equal(pkg.main, "index.js");
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), [
      "@pulumi/aws",
      "@pulumi/policy",
      "@pulumi/pulumi",
      "asl-validator",
    ]);
    assert.match(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
  });

  it("serves every policy, at its level, when started as the Pulumi CLI starts it", async () => {
    // The folder has no node_modules of its own here; the repository's stand in for what `pulumi policy publish` installs.
    pack = spawn(process.execPath, ["index.js"], {
      cwd: dir,
      env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      let err = "";
      pack?.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^(\d+)\n/.exec(out);
        if (m) resolve(m[1]);
      });
      pack?.stderr?.on("data", (d: Buffer) => (err += d.toString()));
      pack?.on("exit", (code) => reject(new Error(`the pack exited (${code}): ${err}`)));
    });
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const info = await new Promise<AnalyzerInfo>((resolve, reject) =>
        client.getAnalyzerInfo(new Empty(), (e, r) => (e ? reject(e) : resolve(r))),
      );
      assert.equal(info.getName(), "s3-event-routes");
      assert.equal(info.getVersion(), "0.1.0");
      assert.deepEqual(
        info.getPoliciesList().map((p) => [p.getName(), LEVEL_NAMES[p.getEnforcementlevel()]]),
        policies.map((p) => [p.name, p.enforcementLevel]),
      );
    } finally {
      client.close();
    }
  });
});
