/** Which project and stack the command acts on, and where it refuses to write. */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertWritable, packageRoot } from "../../cli/packageRoot";
import { defaultStack, openWorkspace } from "../../cli/workspace";

describe("the command's project", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "s3-event-routes-workspace-"));
    writeFileSync(join(dir, "Pulumi.yaml"), "name: photos\nruntime: nodejs\n");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the only stack file, else dev, else asks for --stack", () => {
    assert.equal(defaultStack(dir), "dev");
    writeFileSync(join(dir, "Pulumi.staging.yaml"), "config: {}\n");
    assert.equal(defaultStack(dir), "staging");
    writeFileSync(join(dir, "Pulumi.prod.yaml"), "config: {}\n");
    assert.throws(
      () => defaultStack(dir),
      new Error(`${dir} has several stacks (Pulumi.prod.yaml, Pulumi.staging.yaml): pass --stack <name>.`),
    );
    writeFileSync(join(dir, "Pulumi.dev.yaml"), "config: {}\n");
    assert.equal(defaultStack(dir), "dev");
  });

  it("says where it looked when there is no project, and that a given stack has no file", () => {
    const empty = mkdtempSync(join(tmpdir(), "s3-event-routes-empty-"));
    try {
      assert.throws(
        () => openWorkspace({ cwd: empty }),
        new Error(
          `No Pulumi.yaml in ${empty} or any directory above it: run this in a Pulumi project, or pass --cwd <project dir>.`,
        ),
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    assert.throws(
      () => openWorkspace({ cwd: dir, stack: "prod" }),
      new Error(
        `No stack file ${join(dir, "Pulumi.prod.yaml")}: create it with "pulumi stack init prod", or pick --stack dev.`,
      ),
    );
    assert.throws(
      () => openWorkspace({ cwd: join(dir, "nope") }),
      new Error(`--cwd ${join(dir, "nope")}: no such directory.`),
    );
  });

  it("finds the project above the working directory", () => {
    mkdirSync(join(dir, "src", "deep"), { recursive: true });
    writeFileSync(join(dir, "index.ts"), "export {};\n");
    // @pulumi/pulumi does not resolve from a temporary directory: the sentence says so and what to do.
    assert.throws(
      () => openWorkspace({ cwd: join(dir, "src", "deep") }),
      new Error(
        `@pulumi/pulumi cannot be resolved from ${dir}: run npm install there (the project's package.json lists its dependencies).`,
      ),
    );
  });

  it("never writes inside node_modules or the installed package", () => {
    const project = join(dir, "app");
    assert.throws(
      () => assertWritable(join(project, "node_modules", "x", "d.md"), project, "--diagram"),
      new Error(
        `${join(project, "node_modules", "x", "d.md")} is inside an installed package: the command never writes there. Pass --diagram <file> in your project.`,
      ),
    );
    assert.doesNotThrow(() => assertWritable(join(project, "docs", "routes-dev.md"), project, "--diagram"));
    // The package's own directory is writable only when it is the project (this repository).
    assert.doesNotThrow(() =>
      assertWritable(join(packageRoot(), "docs", "routes-dev.md"), packageRoot(), "--diagram"),
    );
    assert.throws(
      () => assertWritable(join(packageRoot(), "docs", "x.md"), project, "--diagram"),
      /is inside an installed package/,
    );
  });
});
