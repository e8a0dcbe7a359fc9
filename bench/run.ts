/**
 * Runs every benchmark and writes bench/RESULTS.md (not a test):
 *
 *   npm run bench
 *   node -r ts-node/register/transpile-only bench/run.ts
 *
 * Each bench/*.ts script except this one runs in its own child process, one after the other (the
 * known ones first, in the order below, then any other, such as bench/checker.ts when present).
 * Their tables (stdout) go into bench/RESULTS.md with the command that produced them, the
 * machine and the commit; their progress (stderr) goes to the terminal. A script that fails is
 * reported in the file and makes this run exit non-zero, after the others have run.
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fixed, ROOT } from "./programs/report";

const NODE_COMMAND = "node -r ts-node/register/transpile-only bench/run.ts";
/** How this run was started, in Markdown: through the npm script, or directly. */
const COMMAND =
  process.env.npm_lifecycle_event === "bench"
    ? `\`npm run bench\` (\`${NODE_COMMAND}\`)`
    : `\`${NODE_COMMAND}\``;
const ORDER = ["programScale.ts", "deployGraph.ts", "testTime.ts", "handlers.ts", "checker.ts"];

interface Outcome {
  script: string;
  seconds: number;
  code: number | null;
  stdout: string;
}

function runScript(script: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", join("bench", script)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ script, seconds: Number(process.hrtime.bigint() - started) / 1e9, code, stdout }),
    );
  });
}

function git(args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const found = readdirSync(join(ROOT, "bench")).filter((f) => f.endsWith(".ts") && f !== "run.ts");
  const scripts = [
    ...ORDER.filter((f) => found.includes(f)),
    ...found.filter((f) => !ORDER.includes(f)).sort(),
  ];
  const missing = ORDER.filter((f) => !found.includes(f));
  const started = process.hrtime.bigint();
  const outcomes: Outcome[] = [];
  for (const script of scripts) {
    console.error(`\n=== bench/${script}`);
    outcomes.push(await runScript(script));
  }
  const total = Number(process.hrtime.bigint() - started) / 1e9;
  const dirty = git(["status", "--porcelain", "--", ".", ":!bench/RESULTS.md"]) !== "";
  const lines = [
    "# Benchmark results",
    "",
    `Produced by ${COMMAND}, which runs each script below in its own child process, one after`,
    "the other, and writes this file. Not a test: nothing here is asserted.",
    "",
    `- when: ${new Date().toISOString()}`,
    `- commit: ${git(["rev-parse", "--short", "HEAD"])}${dirty ? " (with uncommitted changes)" : ""}`,
    `- machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fixed(totalmem() / 2 ** 30, 0)} GiB, ${process.platform}-${process.arch}, node ${process.version}`,
    `- whole run: ${fixed(total, 0)} s (${outcomes.map((o) => `${o.script} ${fixed(o.seconds, 0)} s`).join(", ")})`,
    ...(missing.length > 0 ? [`- not present, skipped: ${missing.map((m) => `bench/${m}`).join(", ")}`] : []),
    "",
  ];
  for (const o of outcomes) {
    lines.push(`## bench/${o.script}`, "");
    lines.push(
      `\`node -r ts-node/register/transpile-only bench/${o.script}\` — ${fixed(o.seconds, 0)} s`,
      "",
    );
    if (o.code !== 0) lines.push(`**Failed: exit code ${o.code}.** Its output so far:`, "");
    lines.push(o.stdout.trimEnd(), "");
  }
  writeFileSync(join(ROOT, "bench", "RESULTS.md"), lines.join("\n"));
  console.error(`\nbench: ${fixed(total, 0)} s in all; wrote bench/RESULTS.md`);
  if (outcomes.some((o) => o.code !== 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
