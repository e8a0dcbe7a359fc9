import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  findProjectDir,
  loadStackFiles,
  OFFLINE_SECRET as SECRET_PLACEHOLDER,
  parseStackConfig,
} from "../../cli/stackFiles";

describe("stack configuration", () => {
  it("namespaces bare keys with the project and replaces secure values, noting their keys", () => {
    const { config, secretKeys } = parseStackConfig(
      [
        "config:",
        "  aws:region: us-west-2",
        "  bucketName: photos",
        "  app:token:",
        "    secure: AAAB",
        "  app:db:",
        "    password:",
        "      secure: AAAC",
        "    user: u",
      ].join("\n"),
      "app",
    );
    assert.deepEqual(config, {
      "aws:region": "us-west-2",
      "app:bucketName": "photos",
      "app:token": SECRET_PLACEHOLDER,
      "app:db": { password: SECRET_PLACEHOLDER, user: "u" },
    });
    assert.deepEqual(secretKeys, ["app:token", "app:db"]);
  });

  it("finds the project above the program and tells a missing stack file apart", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-config-"));
    try {
      fs.mkdirSync(path.join(dir, "src"));
      fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), "config:\n  aws:region: eu-central-1\n");
      fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        [
          "name: shop",
          "runtime: nodejs",
          "config:",
          "  size:",
          "    type: integer",
          "    default: 3",
          "  token:",
          "    type: string",
          "    secret: true",
        ].join("\n"),
      );
      const program = path.join(dir, "src", "index.ts");
      assert.equal(findProjectDir(path.dirname(program)), dir);
      assert.deepEqual(loadStackFiles(dir, "prod"), {
        project: "shop",
        projectDir: dir,
        stack: "prod",
        stackFile: path.join(dir, "Pulumi.prod.yaml"),
        config: { "aws:region": "eu-central-1", "shop:size": 3, "shop:token": SECRET_PLACEHOLDER },
        secretKeys: ["shop:token"],
        notes: [
          'shop:token is a secret not set for stack "prod"; offline, a placeholder stands in (set it with pulumi config set --secret token ... before pulumi up).',
        ],
      });
      assert.equal(loadStackFiles(dir, "dev", true).stackFile, undefined);
      assert.throws(
        () => loadStackFiles(dir, "dev"),
        new Error(
          `No stack file ${path.join(dir, "Pulumi.dev.yaml")}: create it with "pulumi stack init dev", or pick --stack dev.`,
        ),
      );
      fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), "config: [1]\n");
      assert.throws(
        () => loadStackFiles(dir, "bad"),
        new Error(`${path.join(dir, "Pulumi.bad.yaml")}: "config" must be a mapping`),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
