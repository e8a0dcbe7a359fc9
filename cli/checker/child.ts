/**
 * The checker's child process: installs the mock engine once, then runs each program it is sent in
 * turn (under `runProgram`), evaluates the policy pack on what was registered, and sends one result
 * per program back over IPC. Run by `cli/check.ts` (and `bench/checker.ts`), never directly.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";
import type * as MockEngine from "../../components/testing/mockEngine";
import type * as Lifecycle from "./lifecycle";
import type { CheckedViolation } from "./policyRuntime";
import { prepareProgramRuntime } from "./programRuntime";
import type { ProgramProject } from "./project";

/** What the parent sends. */
export interface ChildRequest {
  /** Absolute paths of the programs, run in this order. */
  programs: string[];
  /**
   * The project they belong to, as the language host reads it (one per child). Default: a
   * CommonJS project in the child's working directory, with its tsconfig.json if it has one.
   */
  runtime?: Pick<ProgramProject, "dir" | "esm" | "tsconfig">;
  /** Project name. */
  project: string;
  /** Stack name. */
  stack: string;
  /** Stack configuration (`"<ns>:<key>"` → value). */
  config: Record<string, unknown>;
  /** Configuration keys that are secrets. */
  secretKeys: string[];
  /** The default AWS region (`aws:region`). */
  region: string;
  /** Per-policy configuration. */
  policyConfig?: PolicyPackConfig;
  /** False to only run the programs (the benchmark's baseline). Default true. */
  evaluate?: boolean;
  /**
   * `Error.stackTraceLimit` while the programs run. Default 0: the Pulumi SDK captures a stack for
   * every promise it makes, which under ts-node's source maps costs about 80% of a program's run
   * time (the project's Pulumi.yaml passes `--stack-trace-limit=0` for the same reason). The
   * checker re-runs a failing program with frames on, to show where it failed.
   */
  stackTraceLimit?: number;
}

/** What the child sends back for each program. */
export interface ProgramResult {
  /** The program's absolute path. */
  program: string;
  /** How many resources it registered. */
  resources: number;
  /** The violations found (empty when not evaluated or when the program failed). */
  violations: CheckedViolation[];
  /** The program's (or a policy's) error, when it failed. */
  error?: string;
  /** How the error came about. */
  errorKind?: "program" | "policy";
  /** Milliseconds spent running the program. */
  runMs: number;
  /** Milliseconds spent evaluating the policies. */
  evalMs: number;
  /** The child's peak resident set size so far, in bytes. */
  maxRssBytes: number;
}

/** A message from the child. */
export type ChildMessage = { kind: "result"; result: ProgramResult } | { kind: "done" };

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error("cli/checker/child.ts must be started with an IPC channel"));
    process.send(message, undefined, undefined, (err) => (err ? reject(err) : resolve()));
  });
}

/** The error and its stack, without the frames of Node, ts-node and the checker itself. */
function describeError(e: Error): string {
  const stack =
    e.stack && e.stack.includes(e.message) ? e.stack : `${e.message}${e.stack ? `\n${e.stack}` : ""}`;
  return stack
    .split("\n")
    .filter(
      (line) => !/^\s+at .*(node:internal|[\\/]ts-node[\\/]|[\\/]checker[\\/]child\.ts|\(node:)/.test(line),
    )
    .join("\n");
}

async function run(req: ChildRequest): Promise<void> {
  Error.stackTraceLimit = req.stackTraceLimit ?? 0;
  // The program's compiler and its own @pulumi/pulumi first; the mock engine then loads against
  // that same @pulumi/pulumi (a second copy would wait for a monitor at "dns:mock" forever).
  const here = process.cwd();
  const tsconfig = path.join(here, "tsconfig.json");
  const load = prepareProgramRuntime(
    req.runtime ?? { dir: here, esm: false, ...(existsSync(tsconfig) ? { tsconfig } : {}) },
  );
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { installMockEngine } = require("../../components/testing/mockEngine") as typeof MockEngine;
  const { runLifecycle } = require("./lifecycle") as typeof Lifecycle;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const recorder = installMockEngine({
    project: req.project,
    stack: req.stack,
    config: { "aws:region": req.region, ...req.config },
    secretKeys: req.secretKeys,
    region: req.region,
  });
  const evaluate = req.evaluate !== false;
  // Loaded only when needed, so that the benchmark's baseline does not pay for it.
  const policiesModule = evaluate ? await import("../../policies/all") : undefined;
  const runtime = evaluate ? await import("./policyRuntime") : undefined;
  const loadedBefore = new Set(Object.keys(require.cache));
  for (const program of req.programs) {
    // Each program gets fresh copies of its own modules (not of node_modules), so that a module
    // two programs share declares its resources in both.
    for (const key of Object.keys(require.cache)) {
      if (!loadedBefore.has(key) && !key.includes(`${path.sep}node_modules${path.sep}`))
        delete require.cache[key];
    }
    const t0 = performance.now();
    const ran = await runLifecycle(recorder, () => load(path.resolve(program)), {
      project: req.project,
      stack: req.stack,
    });
    const runMs = performance.now() - t0;
    const base = { program, resources: ran.resources.length, runMs };
    if (ran.errors.length > 0) {
      await send({
        kind: "result",
        result: {
          ...base,
          violations: [],
          error: ran.errors.map(describeError).join("\n"),
          errorKind: "program",
          evalMs: 0,
          maxRssBytes: process.resourceUsage().maxRSS * 1024,
        },
      });
      continue;
    }
    const t1 = performance.now();
    let violations: CheckedViolation[] = [];
    let error: string | undefined;
    if (policiesModule && runtime) {
      try {
        violations = (
          await runtime.evaluatePolicies(policiesModule.policies, ran.resources, {
            project: req.project,
            stack: req.stack,
            region: req.region,
            config: req.policyConfig,
          })
        ).violations;
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
    }
    await send({
      kind: "result",
      result: {
        ...base,
        violations,
        ...(error !== undefined ? { error, errorKind: "policy" as const } : {}),
        evalMs: performance.now() - t1,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
      },
    });
  }
  await send({ kind: "done" });
}

process.once("message", (req: ChildRequest) => {
  run(req).then(
    () => {
      process.disconnect();
      // The Pulumi runtime may keep handles open; every result has been delivered.
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(
        `checker child failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exit(3);
    },
  );
});
