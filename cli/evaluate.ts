/**
 * Evaluates a project's program in this process under the mock engine, as Pulumi's Node.js host
 * would run it (its own compiler settings, its own `@pulumi/pulumi`, ES modules through ts-node's
 * hooks), then its `beforeExit` phase. Call once per process: the mock engine and Pulumi's
 * configuration are process-wide.
 */
import type * as MockEngine from "../components/testing/mockEngine";
import type { ProgramRun, RecordedResource } from "../components/testing/mockEngine";
import type * as Lifecycle from "./checker/lifecycle";
import { prepareProgramRuntime } from "./checker/programRuntime";
import type { Workspace } from "./workspace";

/** The mocks' account id (the mock engine's default). */
export const OFFLINE_ACCOUNT_ID = "123456789012";

/** What the program registered. */
export interface Evaluation {
  /** Every registration, in order. */
  resources: RecordedResource[];
  /** The stack outputs. */
  outputs: ProgramRun["outputs"];
}

/** The program's errors, as one message naming the program and the stack. */
export class ProgramError extends Error {
  constructor(
    readonly program: string,
    readonly stack: string,
    readonly errors: readonly Error[],
  ) {
    super(
      `The program ${program} failed for stack "${stack}":\n${errors.map((e) => `  ${e.message}`).join("\n")}`,
    );
    this.name = "ProgramError";
  }
}

/**
 * Runs the workspace's program from its project directory, as Pulumi's host does (a program may
 * read files relative to it, and its file assets are resolved against it): the process's working
 * directory is the project's from then on, so resolve paths the user gave before calling this.
 *
 * @throws ProgramError when the program (or its beforeExit phase) raised errors.
 */
export async function evaluateWorkspace(ws: Workspace, accountId = OFFLINE_ACCOUNT_ID): Promise<Evaluation> {
  // The program's compiler and its own @pulumi/pulumi first; the mock engine then loads against
  // that same copy (a second copy would wait for a monitor that does not exist).
  process.chdir(ws.dir);
  const load = prepareProgramRuntime(ws.project);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { installMockEngine } = require("../components/testing/mockEngine") as typeof MockEngine;
  const { runLifecycle } = require("./checker/lifecycle") as typeof Lifecycle;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const recorder = installMockEngine({
    project: ws.files.project,
    stack: ws.stack,
    config: { "aws:region": ws.region, ...ws.files.config },
    secretKeys: ws.files.secretKeys,
    region: ws.region,
    accountId,
  });
  // Pulumi records a stack trace per promise; without them a program evaluates several times faster
  // (bench/RESULTS.md). Restored after, so that handlers run later keep their stacks.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let run: ProgramRun;
  try {
    run = await runLifecycle(recorder, () => load(ws.project.entry), {
      project: ws.files.project,
      stack: ws.stack,
    });
  } finally {
    Error.stackTraceLimit = limit;
  }
  if (run.errors.length > 0) throw new ProgramError(ws.project.entry, ws.stack, run.errors);
  return { resources: run.resources, outputs: run.outputs };
}
