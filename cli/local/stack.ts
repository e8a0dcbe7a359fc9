/**
 * Runs a project's program in-process under the mock engine, as the offline plan does, and reads the
 * local topology from what it registered. Call once per process: the mock engine and Pulumi's
 * configuration are process-wide.
 */
import { evaluateWorkspace, OFFLINE_ACCOUNT_ID } from "../evaluate";
import { StackFiles } from "../stackFiles";
import { openWorkspace } from "../workspace";
import { readTopology, Topology } from "./topology";

/** The mocks' account id (the mock engine's default). */
export const LOCAL_ACCOUNT_ID = OFFLINE_ACCOUNT_ID;

/** A stack, evaluated. */
export interface EvaluatedStack {
  /** Its configuration files. */
  files: StackFiles;
  /** What events travel through. */
  topology: Topology;
}

/**
 * Evaluates the project at `root` (its Pulumi.yaml, its entry point or `program`) for `stack` and
 * reads its topology.
 *
 * @param root - the project directory (Pulumi.yaml), or a directory below it.
 * @param stack - the stack's name; without a stack file, the project's defaults alone (the
 *   command checks that a stack it was given has its file).
 * @param program - a program to run instead of the project's entry point, relative to `root`.
 * @throws Error naming the stack file or the program's errors.
 */
export async function evaluateStack(root: string, stack: string, program?: string): Promise<EvaluatedStack> {
  const workspace = openWorkspace({ cwd: root, stack, program, optionalStackFile: true });
  const { resources } = await evaluateWorkspace(workspace, LOCAL_ACCOUNT_ID);
  return {
    files: workspace.files,
    topology: await readTopology(resources, workspace.region, LOCAL_ACCOUNT_ID),
  };
}
