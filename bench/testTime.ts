/**
 * `npm test` wall time, run on demand (not a test):
 *
 *   node -r ts-node/register/transpile-only bench/testTime.ts
 *
 * Runs each phase of `npm test` (type check, lint, format check, mocha) once, in its own child
 * process, and prints the wall time of each and their sum against the 60 s aim.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fixed, ROOT, table } from "./programs/report";

const AIM_SECONDS = 60;
const BIN = join(ROOT, "node_modules", ".bin");

const PHASES: { phase: string; command: string; bin: string; args: string[] }[] = [
  {
    phase: "type check",
    command: "tsc --noEmit -p tsconfig.json",
    bin: "tsc",
    args: ["--noEmit", "-p", "tsconfig.json"],
  },
  { phase: "lint", command: "eslint .", bin: "eslint", args: ["."] },
  { phase: "format check", command: "prettier --check .", bin: "prettier", args: ["--check", "."] },
  { phase: "tests", command: "mocha", bin: "mocha", args: [] },
];

function main(): void {
  const rows: (string | number)[][] = [["phase", "command", "wall s", "exit"]];
  let total = 0;
  let failed = false;
  for (const p of PHASES) {
    const started = process.hrtime.bigint();
    const result = spawnSync(join(BIN, p.bin), p.args, {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    total += seconds;
    const status = result.status ?? (result.signal ? `signal ${result.signal}` : "error");
    if (status !== 0) {
      failed = true;
      console.error(`testTime: ${p.command} exited ${status}\n${result.stdout}\n${result.stderr}`);
    }
    const passing = /(\d+) passing/.exec(result.stdout)?.[1];
    rows.push([p.phase, `\`${p.command}\`${passing ? ` (${passing} passing)` : ""}`, fixed(seconds), status]);
  }
  rows.push(["total (`npm test`, without npm's own start-up)", "", fixed(total), failed ? "failed" : 0]);
  console.log(`npm test, phase by phase (one run each; aim: under ${AIM_SECONDS} s in total)\n`);
  console.log(table(rows));
  console.log(
    `\n${total < AIM_SECONDS ? "Within" : "Over"} the aim: ${fixed(total)} s of ${AIM_SECONDS} s (${fixed((100 * total) / AIM_SECONDS, 0)}%).`,
  );
  if (failed) process.exitCode = 1;
}

main();
