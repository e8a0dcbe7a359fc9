/** Helpers the program benchmarks share: Markdown tables (as bench/handlers.ts prints them) and child runs. */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { ChildResult } from "./child";

/** The repository root. */
export const ROOT = join(__dirname, "..", "..");

/** A Markdown table, first column left-aligned, the others right-aligned. */
export function table(rows: (string | number)[][]): string {
  const text = rows.map((r) => r.map(String));
  const widths = text[0].map((_, i) => Math.max(...text.map((r) => r[i].length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  return [
    line(text[0]),
    `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`,
    ...text.slice(1).map(line),
  ].join("\n");
}

/** `n` with `digits` decimals. */
export const fixed = (n: number, digits = 1): string => n.toFixed(digits);

/** A ratio as `0.42x`. */
export const ratio = (ours: number, baseline: number): string => `${(ours / baseline).toFixed(2)}x`;

/** Node options of a child: none, or the stack-trace limit Pulumi.yaml gives real runs. */
export type NodeFlags = "default" | "--stack-trace-limit=0";

/**
 * Runs bench/programs/child.ts in a fresh node process and returns what it reports.
 *
 * @param args   the child's arguments: side, buckets, routes per bucket, [alarms].
 * @param flags  node options.
 */
export function runChild(args: string[], flags: NodeFlags): ChildResult {
  const nodeArgs = [
    ...(flags === "default" ? [] : [flags]),
    "-r",
    "ts-node/register/transpile-only",
    join(ROOT, "bench", "programs", "child.ts"),
    ...args,
  ];
  const out = execFileSync(process.execPath, nodeArgs, {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const result = JSON.parse(out.trim().split("\n").pop()!) as ChildResult;
  if (result.errors.length > 0) {
    throw new Error(`bench program ${args.join(" ")} failed: ${result.errors.join("; ")}`);
  }
  return result;
}
