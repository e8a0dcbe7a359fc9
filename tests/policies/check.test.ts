/** The checker's command line: default program and stack, configuration, output, exit status. */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { CheckRun, JsonReport, ROOT, runCheck } from "./checker";
import { exitStatus, formatText, parseArgs, ProgramReport } from "../../cli/check";

const CLI = path.join(ROOT, "tests", "fixtures", "cli");

describe("s3-event-routes check", function () {
  this.timeout(600_000);
  const runs: Record<string, CheckRun> = {};

  before(async () => {
    const cases: [string, string[], string?][] = [
      ["default", [], CLI],
      ["failing", ["--json", "--jobs", "1", "exits.ts", "throws.ts", "rejects.ts", "missing.ts"], CLI],
      ["no stack file", ["--stack", "prod"], CLI],
      ["clean, no dev stack file", ["--json", "tests/fixtures/programs/secure-queue-pipeline.ts"]],
      [
        "no stack file at all",
        ["--json", "--cwd", "tests/fixtures/real-programs/docs-bucket-notification-sqs"],
      ],
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
        "1 program: 1 mandatory, 0 advisory violation.",
        "",
        "index.ts (stack dev, 6 resources): 1 violation",
        "  [mandatory] s3-notification-destination-same-region",
        '    resource: aws:s3/bucketNotification:BucketNotification "records-notification"',
        '    aws.s3.BucketNotification "records-notification": entry "topics[0] (arn:aws:sns:us-east-1:123456789012:audit)" ' +
          'targets "arn:aws:sns:us-east-1:123456789012:audit" in us-east-1, but bucket "records" is in eu-west-1. S3 ' +
          "delivers event notifications only to destinations in the bucket's own region and rejects the configuration. " +
          "Create the destination in eu-west-1 (with the bucket's provider), or set eventbridge: true and forward the " +
          "events from an EventBridge rule in eu-west-1 to an event bus in us-east-1.",
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
      "missing.ts does not exist: pass the path of a Pulumi TypeScript program or project directory (default: the project itself).",
    );
    assert.equal(exits.error, "the checker's child process exited (code 7) before this program was checked");
  });

  it("exits 2 when the stack named by --stack has no file", () => {
    const run = runs["no stack file"];
    assert.equal(run.status, 2);
    assert.match(
      run.stdout,
      /^1 program: 0 mandatory, 0 advisory violations; 1 could not be checked\.\n\nindex\.ts: could not be checked:\n {2}.*Pulumi\.prod\.yaml does not exist: create it \(pulumi stack init prod; pulumi config set \.\.\.\) or pass another --stack\.\n/,
    );
  });

  it("exits 0 on a clean program, with the project's only stack file when --stack is not given", () => {
    const run = runs["clean, no dev stack file"];
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.deepEqual(report.summary, { mandatory: 0, advisory: 0, failed: 0 });
    assert.deepEqual(report.programs[0].violations, []);
    // tests/fixtures/programs has Pulumi.test.yaml and no Pulumi.dev.yaml.
    assert.equal(report.programs[0].stack, "test");
    assert.ok(!run.stderr.includes("does not exist"), run.stderr);
  });

  it("notes a missing default stack file on stderr and checks with the project's defaults", () => {
    const run = runs["no stack file at all"];
    assert.equal(run.status, 1, run.stderr);
    const report = JSON.parse(run.stdout) as JsonReport;
    assert.equal(report.programs[0].stack, "dev");
    assert.equal(
      run.stderr
        .split("\n")
        .filter((l) => l.startsWith("note: "))
        .join("\n"),
      `note: ${path.join(ROOT, "tests", "fixtures", "real-programs", "docs-bucket-notification-sqs", "Pulumi.dev.yaml")} does not exist; checking with no stack configuration (aws:region us-east-1).`,
    );
  });

  it("exits 2 with the usage on a bad argument", () => {
    const run = runs["bad option"];
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      '--jobs needs a whole number of at least 1, got "0"\nusage: s3-event-routes check [<program>...] [options]\n',
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
    const expected = { json: true, stack: "prod", jobs: 3, programs: ["a.ts", "b.ts"], cwd: ROOT };
    // Options in any order, before, between or after the programs; `--name=value` too.
    assert.deepEqual(parseArgs(["--json", "--stack", "prod", "--jobs", "3", "a.ts", "b.ts"]), expected);
    assert.deepEqual(parseArgs(["a.ts", "--jobs=3", "b.ts", "--stack", "prod", "--json"]), expected);
    assert.deepEqual(parseArgs([]).programs, []);
    assert.equal(parseArgs([]).stack, undefined);
    assert.throws(() => parseArgs(["--stack"]), /^UsageError: --stack needs a value: --stack <name>\n/);
    assert.throws(
      () => parseArgs(["--josn"]),
      /^UsageError: unknown option "--josn" \(did you mean --json\?\)/,
    );
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
    assert.equal(
      formatText([report("advisory")]).split("\n")[0],
      "1 program: 0 mandatory, 1 advisory violation.",
    );
    assert.equal(formatText([report("advisory")]).split("\n")[4], "    resource: (the stack)");
  });
});
