/** Runs the package's `check` command as a user would: a child process, its output and exit status. */
import { execFile } from "node:child_process";
import * as path from "node:path";

/** The repository root. */
export const ROOT = path.resolve(__dirname, "..", "..");

/** What a run of the checker printed and returned. */
export interface CheckRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the checker with `args` in `cwd` (default: the repository root). */
export function runCheck(args: string[], cwd = ROOT): Promise<CheckRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", path.join(ROOT, "cli", "main.ts"), "check", ...args],
      { cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

/** The JSON report of a `--json` run. */
export interface JsonReport {
  status: number;
  summary: { mandatory: number; advisory: number; failed: number };
  programs: {
    program: string;
    stack: string;
    resources: number;
    ranWith?: string | null;
    error: string | null;
    violations: {
      policy: string;
      enforcementLevel: string;
      resource: { type: string; name: string; urn: string } | null;
      message: string;
    }[];
  }[];
}
