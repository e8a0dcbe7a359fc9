import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseStackConfig, readStackConfig, SECRET_PLACEHOLDER } from "../../scripts/checker/stackConfig";
import { parseYaml, YamlError } from "../../scripts/checker/yaml";

describe("the checker's YAML reader", () => {
  it("reads a Pulumi stack file: namespaced keys, scalars, nested objects and lists, secure values", () => {
    const text = [
      "# stack dev",
      "encryptionsalt: v1:abc:def",
      "config:",
      "  aws:region: eu-west-1   # where everything lives",
      "  s3-event-routes:retries: 3",
      "  s3-event-routes:ratio: 0.5",
      "  s3-event-routes:enabled: true",
      "  s3-event-routes:empty: ''",
      '  s3-event-routes:quoted: "a # not a comment: \\"x\\""',
      "  s3-event-routes:single: 'it''s'",
      "  s3-event-routes:url: https://example.com/a#b",
      "  s3-event-routes:nothing: ~",
      "  s3-event-routes:buckets:",
      "    - name: photos",
      "      routes:",
      '        - events: ["created"]',
      '          filter: {"prefix": "raw photos/"}',
      "        -   events:",
      "              - removed",
      "    - name: docs",
      "  s3-event-routes:list:",
      "  - a",
      "  - 2",
      "  s3-event-routes:apiKey:",
      "    secure: AAABAF1234==",
      "  s3-event-routes:policy: |",
      "    {",
      '      "Version": "2012-10-17"',
      "    }",
      "  s3-event-routes:folded: >-",
      "    one",
      "    two",
    ].join("\n");
    assert.deepEqual(parseYaml(text), {
      encryptionsalt: "v1:abc:def",
      config: {
        "aws:region": "eu-west-1",
        "s3-event-routes:retries": 3,
        "s3-event-routes:ratio": 0.5,
        "s3-event-routes:enabled": true,
        "s3-event-routes:empty": "",
        "s3-event-routes:quoted": 'a # not a comment: "x"',
        "s3-event-routes:single": "it's",
        "s3-event-routes:url": "https://example.com/a#b",
        "s3-event-routes:nothing": null,
        "s3-event-routes:buckets": [
          {
            name: "photos",
            routes: [{ events: ["created"], filter: { prefix: "raw photos/" } }, { events: ["removed"] }],
          },
          { name: "docs" },
        ],
        "s3-event-routes:list": ["a", 2],
        "s3-event-routes:apiKey": { secure: "AAABAF1234==" },
        "s3-event-routes:policy": '{\n  "Version": "2012-10-17"\n}\n',
        "s3-event-routes:folded": "one two",
      },
    });
  });

  it("refuses what it does not read, naming the line", () => {
    const cases: [string, string][] = [
      ["a: &x 1\nb: *x", "line 1: anchors, aliases and tags are not supported"],
      ["a:\n\tb: 1", "line 2: tabs are not allowed in indentation"],
      ["a: [b, c]", "line 1: flow collections are supported only when empty or JSON-compatible: [b, c]"],
      ["a: 1\n  b: 2", "line 2: unexpected indentation"],
      ["a: 1\na: 2", 'line 2: duplicate key "a"'],
      ["a: 1\n---\nb: 2", "line 2: only one document is supported"],
      ["just text", 'line 1: expected "key: value", got "just text"'],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseYaml(text),
        (e: unknown) => e instanceof YamlError && e.message === message,
        text,
      );
    }
    assert.equal(parseYaml("# nothing\n\n"), null);
  });
});

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
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: shop\nruntime: nodejs\n");
      fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), "config:\n  aws:region: eu-central-1\n");
      const program = path.join(dir, "src", "index.ts");
      assert.deepEqual(readStackConfig(program, "prod"), {
        project: "shop",
        projectDir: dir,
        stackFile: path.join(dir, "Pulumi.prod.yaml"),
        config: { "aws:region": "eu-central-1" },
        secretKeys: [],
      });
      assert.deepEqual(readStackConfig(program, "dev"), {
        project: "shop",
        projectDir: dir,
        config: {},
        secretKeys: [],
      });
      fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), "config: [1]\n");
      assert.throws(
        () => readStackConfig(program, "bad"),
        new Error(`${path.join(dir, "Pulumi.bad.yaml")}: "config" must be a mapping`),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
