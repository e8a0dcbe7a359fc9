/**
 * The package's command from a user's own project, as the user runs it: `npx s3-event-routes ...`
 * in a project laid out as `pulumi new aws-typescript` lays it out (its own Pulumi.yaml, stack file,
 * config and secrets), with a plain @pulumi/aws program beside it (legacy/). Each command runs as a
 * child process of the installed bin; nothing may be written inside node_modules.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const PROJECT = join(__dirname, "..");
const BIN = join(PROJECT, "node_modules", ".bin", "s3-event-routes");

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the installed command with `args` in `cwd` (default: the project). */
function command(args: string[], cwd = PROJECT): Promise<Run> {
  return new Promise((resolve) => {
    execFile(BIN, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** Every file under `dir` with its size and modification time. */
function snapshot(dir: string, into = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) snapshot(path, into);
    else if (entry.isFile()) {
      const s = statSync(path);
      into.set(path, `${s.size}:${s.mtimeMs}`);
    }
  }
  return into;
}

describe("the s3-event-routes command in a user's project", () => {
  let before: Map<string, string>;
  const scratch = mkdtempSync(join(tmpdir(), "s3-event-routes-consumer-"));

  // Before and after every command: the install stays as npm left it.
  beforeEach(() => (before = snapshot(join(PROJECT, "node_modules"))));
  afterEach(() => {
    const after = snapshot(join(PROJECT, "node_modules"));
    const changed = [...after].filter(([f, v]) => before.get(f) !== v).map(([f]) => f);
    const removed = [...before.keys()].filter((f) => !after.has(f));
    assert.deepEqual({ changed, removed }, { changed: [], removed: [] });
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("is installed without sharp: the project uses no image handler", () => {
    assert.throws(() => require.resolve("sharp", { paths: [PROJECT] }), /Cannot find module 'sharp'/);
  });

  it("plans the project's own stack: its config values in the routes, its secret stood in for once", async () => {
    const run = await command(["plan"]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Plan of stack "dev"/);
    const routes = run.stdout.split("\n").filter((l) => /^ {2}photos /.test(l));
    assert.deepEqual(
      routes.map((l) => l.trim().split(/\s{2,}/)),
      [
        ["photos", "ingest", "s3:ObjectCreated:*", "incoming-photos/…", "native", 'sqs "ingest"'],
        ["photos", "partner", "s3:ObjectRemoved:*", "incoming-photos/…", "eventbridge", 'webhook "partner"'],
      ],
    );
    const notes = run.stderr.split("\n").filter((l) => l.startsWith("note: "));
    assert.deepEqual(notes, [
      `note: photo-pipeline:partnerApiKey is encrypted in ${join(PROJECT, "Pulumi.dev.yaml")}; offline, a placeholder secret stands in.`,
    ]);
    // The diagram goes to the project's docs/, with the consumer and dead-letter queue drawn.
    const diagram = readFileSync(join(PROJECT, "docs", "routes-dev.md"), "utf8");
    assert.match(diagram, /```mermaid/);
    assert.match(diagram, /ingest-consumer/);
    assert.match(diagram, /dead-letter|DLQ|dlq/i);
  });

  it("takes options in any order and --cwd from elsewhere; writes the diagram where --diagram says", async () => {
    const file = join(scratch, "routes.md");
    const elsewhere = await command(["plan", "--diagram", file, "--cwd", PROJECT, "--stack=dev"], scratch);
    assert.equal(elsewhere.status, 0, elsewhere.stderr);
    assert.ok(existsSync(file));
    // Shown relative to where the user is.
    assert.match(elsewhere.stdout, /\nDiagram: routes\.md\n/);
  });

  it("refuses to write inside node_modules", async () => {
    const inside = join(PROJECT, "node_modules", "s3-event-routes", "routes.md");
    const run = await command(["plan", "--diagram", inside]);
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr.trim().split("\n").pop(),
      `${inside} is inside an installed package: the command never writes there. Pass --diagram <file> in your project.`,
    );
    assert.ok(!existsSync(inside));
  });

  it("plan --json shows the handler's bundle as hash, size and entries, not its source", async () => {
    const run = await command(["plan", "--json", "--no-diagram"]);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.stdout.length < 300_000, `plan --json is ${run.stdout.length} bytes`);
    const plan = JSON.parse(run.stdout) as {
      stack: string;
      resources: { type: string; name: string; inputs: Record<string, unknown> }[];
    };
    assert.equal(plan.stack, "dev");
    const fn = plan.resources.find((r) => r.type === "aws:lambda/function:Function");
    const code = fn?.inputs.code as {
      archive: { sha256: string; size: number; entries: Record<string, unknown> };
    };
    assert.match(code.archive.sha256, /^[0-9a-f]{64}$/);
    assert.ok(code.archive.size > 1000);
    assert.ok("index.js" in code.archive.entries, JSON.stringify(code.archive.entries));
    assert.ok(!run.stdout.includes("use strict"), "the bundle's source is embedded");
  });

  it("checks the project and the plain @pulumi/aws program beside it, with the documented exit statuses", async () => {
    const own = await command(["check"]);
    assert.equal(own.status, 0, own.stdout + own.stderr);
    assert.match(own.stdout, /^1 program: 0 mandatory, \d+ advisory violations?\.\n/);

    const both = await command(["check", ".", "legacy", "--json"]);
    assert.equal(both.status, 1, both.stderr);
    const report = JSON.parse(both.stdout) as {
      status: number;
      programs: {
        program: string;
        error: string | null;
        violations: { policy: string; enforcementLevel: string }[];
      }[];
    };
    assert.equal(report.status, 1);
    assert.deepEqual(
      report.programs.map((p) => [p.program, p.error]),
      [
        [".", null],
        ["legacy", null],
      ],
    );
    const mandatory = report.programs[1].violations
      .filter((v) => v.enforcementLevel === "mandatory")
      .map((v) => v.policy)
      .sort();
    assert.ok(mandatory.includes("sqs-queue-dead-letter-queue"), mandatory.join(", "));
    assert.ok(mandatory.length >= 2, `expected the missing queue policy too: ${mandatory.join(", ")}`);

    const missing = await command(["check", "nowhere"]);
    assert.equal(missing.status, 2);
  });

  it("explains a key, options after the arguments", async () => {
    const run = await command(["explain", "photos", "incoming-photos/cat.jpg", "--stack", "dev"]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split("\n"), [
      's3:ObjectCreated:Put on "incoming-photos/cat.jpg" in bucket "photos":',
      '  → reaches sqs "ingest" via route "ingest": s3:ObjectCreated:Put and "incoming-photos/cat.jpg" match its filter (prefix "incoming-photos/")',
      '    skips   webhook "partner" via route "partner": its EventBridge rule does not match (s3:ObjectRemoved:*; prefix "incoming-photos/")',
      "1 target(s) reached.",
    ]);
  });

  it("runs the local loop: a sample upload reaches the packaged consumer, a deletion the partner", async () => {
    const summary = join(scratch, "summary.json");
    const run = await command([
      "local",
      "--demo",
      "--port",
      "0",
      "--summary-json",
      summary,
      "--timeout",
      "120",
    ]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /demo: 1\. one sample object per route/);
    const result = JSON.parse(readFileSync(summary, "utf8")) as { failures: unknown[] };
    assert.deepEqual(result.failures, []);
    assert.match(run.stdout, /ingest-consumer/);
    assert.match(run.stdout, /partner/);
    assert.ok(existsSync(dirname(summary)));
  });

  it("answers --help for each command and names a mistyped one", async () => {
    for (const name of ["plan", "check", "explain", "local"]) {
      const help = await command([name, "--help"]);
      assert.equal(help.status, 0);
      assert.match(help.stdout, new RegExp(`^usage: s3-event-routes ${name}`));
    }
    const typo = await command(["chek"]);
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /unknown command "chek" \(did you mean check\?\)/);
  });
});
