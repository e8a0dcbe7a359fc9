/**
 * The policy corpus, checked by the checker itself: each secure-*.ts program must come out clean,
 * and each <policy-name>.ts program must be flagged by exactly that policy. One checker run, its
 * programs shared out between parallel children.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { policies } from "../../policies/all";
import { JsonReport, ROOT, runCheck } from "./checker";

const DIR = path.join("tests", "fixtures", "programs");
const programs = fs
  .readdirSync(path.join(ROOT, DIR))
  .filter((f) => f.endsWith(".ts"))
  .sort()
  .map((f) => path.join(DIR, f));

describe("the policy corpus, through the checker", function () {
  this.timeout(120_000);
  let report: JsonReport;
  let status: number;

  before(async () => {
    const run = await runCheck(["--json", "--stack", "test", ...programs]);
    status = run.status;
    report = JSON.parse(run.stdout) as JsonReport;
  });

  it("has a program for every policy, and secure programs", () => {
    const names = programs.map((p) => path.basename(p, ".ts"));
    assert.deepEqual(
      policies.map((p) => p.name).filter((n) => !names.includes(n)),
      [],
    );
    assert.ok(names.filter((n) => n.startsWith("secure-")).length >= 3);
    assert.deepEqual(
      names.filter((n) => !n.startsWith("secure-") && !policies.some((p) => p.name === n)),
      [],
    );
  });

  it("exits 1, since some programs violate mandatory policies", () => {
    assert.equal(status, 1);
    assert.equal(report.status, 1);
    assert.equal(report.summary.failed, 0);
  });

  for (const program of programs) {
    const name = path.basename(program, ".ts");
    const expected = name.startsWith("secure-") ? [] : [name];
    it(`${name}: ${expected.length ? `flagged by exactly ${name}` : "clean"}`, () => {
      const result = report.programs.find((p) => p.program === program);
      assert.ok(result, `no result for ${program}`);
      assert.equal(result.error, null);
      assert.ok(result.resources > 0);
      const violated = [...new Set(result.violations.map((v) => v.policy))].sort();
      assert.deepEqual(violated, expected, result.violations.map((v) => v.message).join("\n"));
    });
  }
});
