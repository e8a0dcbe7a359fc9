/** The checker's command line: default program and stack, configuration, output, exit status. */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { CheckRun, JsonReport, ROOT, runCheck } from "./checker";
import { exitStatus, formatText, parseArgs, ProgramReport } from "../../cli/check";

const CLI = path.join(ROOT, "tests", "fixtures", "cli");

describe("cli/check.ts", function () {
  this.timeout(600_000);
  const runs: Record<string, CheckRun> = {};

  before(async () => {
    const cases: [string, string[], string?][] = [
      ["default", [], CLI],
      ["failing", ["--json", "--jobs", "1", "exits.ts", "throws.ts", "rejects.ts", "missing.ts"], CLI],
      ["no stack file", ["--stack", "prod"], CLI],
      ["clean, no dev stack file", ["--json", "tests/fixtures/programs/secure-queue-pipeline.ts"]],
      ["bad option", ["--jobs", "0"]],
      ["shared module", ["--json", "--jobs", "1", "first.ts", "second.ts"], CLI],
      ["mixin and raw", ["--json", "mixin-and-raw.ts"], CLI],
    ];
    const results = await Promise.all(cases.map(([, args, cwd]) => runCheck(args, cwd)));
    cases.forEach(([name], i) => (runs[name] = results[i]));
  });

  it("checks ./index.ts with Pulumi.dev.yaml by default, the region reaching the default provider, and exits 1", () => {
    const run = runs["default"];
    assert.equal(run.status, 1, run.stderr);
    assert.equal(
      run.stdout,
      [
        "index.ts (stack dev, 6 resources): 1 violation",
        "  [mandatory] s3-notification-destination-same-region",
        '    resource: aws:s3/bucketNotification:BucketNotification "records-notification"',
        '    aws.s3.BucketNotification "records-notification": entry "topics[0] (arn:aws:sns:us-east-1:123456789012:audit)" ' +
          'targets "arn:aws:sns:us-east-1:123456789012:audit" in us-east-1, but bucket "records" is in eu-west-1. S3 ' +
          "delivers event notifications only to destinations in the bucket's own region and rejects the configuration. " +
          "Create the destination in eu-west-1 (with the bucket's provider), or set eventbridge: true and forward the " +
          "events from an EventBridge rule in eu-west-1 to an event bus in us-east-1.",
        "",
        "1 mandatory, 0 advisory violation.",
        "",
      ].join("\n"),
    );
  });

  it("exits 2 and prints each program's error when programs fail to run", () => {
    const run = runs["failing"];
    assert.equal(run.status, 2);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.deepEqual(report.summary, { mandatory: 0, advisory: 0, failed: 4 });
    const [exits, throws, rejects, missing] = report.programs;
    assert.match(throws.error ?? "", /^Error: the program failed on purpose\n\s+at .*throws\.ts:5:7\)$/);
    assert.match(rejects.error ?? "", /^Error: the apply failed on purpose\n\s+at .*rejects\.ts:5:9/);
    assert.equal(
      missing.error,
      "missing.ts does not exist: pass the path of a Pulumi TypeScript program (default ./index.ts).",
    );
    assert.equal(exits.error, "the checker's child process exited (code 7) before this program was checked");
  });

  it("exits 2 when the stack named by --stack has no file", () => {
    const run = runs["no stack file"];
    assert.equal(run.status, 2);
    assert.match(
      run.stdout,
      /^index\.ts: could not be checked:\n {2}.*Pulumi\.prod\.yaml does not exist: create it \(pulumi stack init prod; pulumi config set \.\.\.\) or pass another --stack\.\n/,
    );
  });

  it("exits 0 on a clean program, noting a missing default stack file on stderr", () => {
    const run = runs["clean, no dev stack file"];
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.deepEqual(report.summary, { mandatory: 0, advisory: 0, failed: 0 });
    assert.deepEqual(report.programs[0].violations, []);
    assert.ok(
      run.stderr.includes(
        `note: ${path.join(ROOT, "tests", "fixtures", "programs", "Pulumi.dev.yaml")} does not exist; checking with no stack configuration (aws:region us-east-1).`,
      ),
      run.stderr,
    );
  });

  it("exits 2 with the usage on a bad argument", () => {
    const run = runs["bad option"];
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      '--jobs must be a positive integer, got "0"\nusage: node -r ts-node/register/transpile-only cli/check.ts [--json] [--stack <env>] [--jobs <n>] [<program.ts> ...]\n',
    );
  });

  it("gives each program of a child its own copy of the modules it imports", () => {
    const run = runs["shared module"];
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.deepEqual(
      report.programs.map((p) => [p.program, p.resources]),
      [
        ["first.ts", 2],
        ["second.ts", 2],
      ],
    );
  });

  it("parses its arguments", () => {
    assert.deepEqual(parseArgs(["--json", "--stack", "prod", "--jobs", "3", "a.ts", "b.ts"]), {
      json: true,
      stack: "prod",
      stackGiven: true,
      jobs: 3,
      programs: ["a.ts", "b.ts"],
    });
    assert.deepEqual(parseArgs([]).programs, ["index.ts"]);
    assert.throws(() => parseArgs(["--stack"]), /--stack needs a value/);
  });

  it("runs the program's beforeExit phase: a mixin's notification and a raw one on one bucket are both seen", () => {
    const run = runs["mixin and raw"];
    assert.equal(run.status, 1, run.stderr);
    const report = JSON.parse(run.stdout) as JsonReport;
    const single = report.programs[0].violations.filter((v) => v.policy === "s3-bucket-single-notification");
    assert.deepEqual(
      single.map((v) => v.message),
      [
        'aws.s3.BucketNotification "on-upload" configures bucket "uploads", which aws.s3.BucketNotification ' +
          '"uploads-eventbridge" also configures: S3 keeps one notification configuration per bucket, so each of them ' +
          "replaces the other's entries on every deploy. Merge the lambdaFunctions, queues and topics entries of both into " +
          "a single aws.s3.BucketNotification for the bucket.",
      ],
    );
  });

  it("exits 1 for mandatory violations, 2 for programs that could not be checked, 3 for both", () => {
    const report = (level: "advisory" | "mandatory", error?: string): ProgramReport => ({
      program: "p.ts",
      stack: "dev",
      resources: 1,
      violations: [{ policy: "x", enforcementLevel: level, message: "m" }],
      ...(error ? { error } : {}),
    });
    assert.equal(exitStatus([report("advisory")]), 0);
    assert.equal(exitStatus([report("advisory"), report("mandatory")]), 1);
    assert.equal(exitStatus([report("mandatory"), report("advisory", "boom")]), 3);
    assert.equal(exitStatus([report("advisory"), report("advisory", "boom")]), 2);
    assert.equal(formatText([report("advisory")]).split("\n")[2], "    resource: (the stack)");
  });
});
