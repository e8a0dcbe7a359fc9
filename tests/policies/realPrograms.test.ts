/**
 * The real-program corpus (tests/fixtures/real-programs, provenance and judged verdicts in its
 * README.md), checked by the checker as a user runs it: each program gets the verdict judged
 * against AWS's behaviour before the checker was run on it.
 *
 * aws-ts-s3-folder runs with its own, older @pulumi/pulumi and @pulumi/aws: they are installed
 * from its package-lock.json (npm ci) the first time, which takes a minute or two.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { JsonReport, ROOT, runCheck } from "./checker";

const DIR = path.join("tests", "fixtures", "real-programs");

/** The judged verdict of each program: its mandatory policies (exactly) and advisories it must include. */
const VERDICTS: Record<string, { mandatory: string[]; advisory: string[]; ownDependencies?: boolean }> = {
  // Mixin: the notification is declared on beforeExit; the function has no on-failure destination.
  "aws-ts-s3-lambda-copyzip": {
    mandatory: ["s3-lambda-target-on-failure-destination"],
    advisory: ["s3-principal-scoped-to-source", "s3-lambda-role-no-recursive-write"],
  },
  // getPolicyDocument topic policy lets S3 publish (scoped by ARN only): advisories, no mandatory.
  "docs-bucket-notification-sns": {
    mandatory: [],
    advisory: ["s3-principal-scoped-to-source", "sns-topic-encrypted", "s3-bucket-tls-only"],
  },
  // getPolicyDocument queue policy lets S3 send; the queue has no dead-letter queue.
  "docs-bucket-notification-sqs": {
    mandatory: ["sqs-queue-dead-letter-queue"],
    advisory: ["s3-bucket-tls-only"],
  },
  // Permission + dependsOn are right; the function has no on-failure destination.
  "docs-bucket-notification-lambda": {
    mandatory: ["s3-lambda-target-on-failure-destination"],
    advisory: ["s3-principal-scoped-to-source"],
  },
  // The fan-out queue admits only s3.amazonaws.com: SNS cannot deliver to it.
  "sns-to-sqs-wrong-principal": {
    mandatory: ["event-delivery-hop-permitted"],
    advisory: ["s3-principal-scoped-to-source"],
  },
  // ES module project, its own older dependencies; a public website bucket with no events.
  "aws-ts-s3-folder": { mandatory: [], advisory: [], ownDependencies: true },
};

describe("the real-program corpus, through the checker", function () {
  this.timeout(900_000);
  let report: JsonReport;
  let status: number;
  const programs = Object.keys(VERDICTS).map((p) => path.join(DIR, p));

  before(async () => {
    const own = path.join(ROOT, DIR, "aws-ts-s3-folder");
    if (!fs.existsSync(path.join(own, "node_modules", "@pulumi", "pulumi", "package.json")))
      execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
        cwd: own,
        stdio: "inherit",
      });
    const run = await runCheck(["--json", ...programs]);
    status = run.status;
    report = JSON.parse(run.stdout) as JsonReport;
  });

  it("holds every program of the corpus, each with a judged verdict", () => {
    const dirs = fs
      .readdirSync(path.join(ROOT, DIR), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    assert.deepEqual(dirs, Object.keys(VERDICTS).sort());
  });

  it("exits 1: some programs violate mandatory policies, none fails to run", () => {
    assert.equal(report.summary.failed, 0, JSON.stringify(report.programs.map((p) => p.error)));
    assert.equal(status, 1);
  });

  for (const [name, verdict] of Object.entries(VERDICTS)) {
    it(`${name}: ${verdict.mandatory.length ? `mandatory ${verdict.mandatory.join(", ")}` : "no mandatory finding"}`, () => {
      const result = report.programs.find((p) => p.program === path.join(DIR, name));
      assert.ok(result, `no result for ${name}`);
      assert.equal(result.error, null);
      assert.ok(result.resources > 0);
      const levels = (level: string) =>
        [
          ...new Set(result.violations.filter((v) => v.enforcementLevel === level).map((v) => v.policy)),
        ].sort();
      assert.deepEqual(
        levels("mandatory"),
        [...verdict.mandatory].sort(),
        result.violations.map((v) => v.message).join("\n"),
      );
      for (const a of verdict.advisory)
        assert.ok(levels("advisory").includes(a), `${name}: no ${a} advisory`);
      if (verdict.ownDependencies)
        assert.equal(
          result.ranWith,
          "@pulumi/pulumi 3.228.0 (the program's own), @pulumi/aws 7.23.0 (the program's own)",
        );
    });
  }
});
