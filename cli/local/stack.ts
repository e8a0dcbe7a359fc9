/**
 * Runs a stack program in-process under the mock engine, as the offline plan does (cli/plan.ts),
 * and reads the local topology from what it registered. Call once per process: the mock engine and
 * Pulumi's configuration are process-wide.
 */
import { resolve } from "node:path";
import { installMockEngine, runProgram } from "../../components/testing/mockEngine";
import { loadStackFiles, StackFiles } from "../stackFiles";
import { readTopology, Topology } from "./topology";

/** The mocks' account id (the mock engine's default). */
export const LOCAL_ACCOUNT_ID = "123456789012";

/** A stack, evaluated. */
export interface EvaluatedStack {
  /** Its configuration files. */
  files: StackFiles;
  /** What events travel through. */
  topology: Topology;
}

/**
 * Evaluates `program` (default index.ts) for `stack` and reads its topology.
 *
 * @param root - the project directory (Pulumi.yaml).
 * @param stack - the stack's name.
 * @param program - the program, relative to `root`.
 * @throws Error naming the stack file or the program's errors.
 */
export async function evaluateStack(
  root: string,
  stack: string,
  program = "index.ts",
): Promise<EvaluatedStack> {
  const files = loadStackFiles(root, stack);
  const region = typeof files.config["aws:region"] === "string" ? files.config["aws:region"] : "us-east-1";
  installMockEngine({
    project: files.project,
    stack,
    config: files.config,
    secretKeys: files.secretKeys,
    region,
    accountId: LOCAL_ACCOUNT_ID,
  });
  // Pulumi records a stack trace per promise; without them the program evaluates several times
  // faster (bench/RESULTS.md). Restored after, so handler errors keep their stacks.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let run;
  try {
    // Loaded only now, after the mocks are installed, as Pulumi's host does.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    run = await runProgram(() => require(resolve(root, program)));
  } finally {
    Error.stackTraceLimit = limit;
  }
  if (run.errors.length > 0) {
    throw new Error(
      `The program ${program} failed for stack "${stack}":\n${run.errors.map((e) => `  ${e.message}`).join("\n")}`,
    );
  }
  return { files, topology: await readTopology(run.resources, region, LOCAL_ACCOUNT_ID) };
}
