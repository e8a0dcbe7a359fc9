/**
 * Runs a program's whole lifecycle as Pulumi's Node.js language host does (`@pulumi/pulumi`
 * `cmd/run`): the program's body inside the stack, then — when the event loop would empty —
 * `process` `beforeExit`, whose listeners may declare more resources, again until they declare no
 * more. `@pulumi/aws`'s `bucket.onObjectCreated` / `onObjectRemoved` mixins declare their one
 * `aws.s3.BucketNotification` per bucket from such a listener; without this phase an offline run
 * would never see it.
 *
 * The checker's child and `npm run plan` run many turns of one process, so the phase is driven
 * here: `beforeExit` is emitted (with exit code 0, as Node does after a clean run) and the
 * registrations it starts are drained, up to {@link MAX_ROUNDS} times.
 */
import * as pulumi from "@pulumi/pulumi";
import { ProgramRun, RecordedResource, runProgram, RunOptions } from "../../components/testing/mockEngine";

/** The most `beforeExit` rounds: the host stops when a round declares nothing; so does this. */
export const MAX_ROUNDS = 5;

/** What the mock engine records into (the handle {@link installMockEngine} returns). */
export interface Recorder {
  /** The registrations of the program being run. */
  records: RecordedResource[];
}

function drain(seconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `The program's beforeExit listeners did not finish registering their resources within ${seconds} s.`,
          ),
        ),
      seconds * 1000,
    );
  });
  // Internal to @pulumi/pulumi (stripped from its typings) but exported: drains pending RPCs.
  const drained = (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  return Promise.race([drained, hung]).finally(() => clearTimeout(timer));
}

/**
 * Runs `program` (under the installed mocks) and then its `beforeExit` phase. Registrations of
 * both phases are returned; errors of both are collected, not thrown.
 */
export async function runLifecycle(
  recorder: Recorder,
  program: () => unknown,
  options: RunOptions = {},
): Promise<ProgramRun> {
  const ran = await runProgram(program, options);
  const errors = [...ran.errors];
  if (errors.length > 0) return ran;
  const onError = (reason: unknown) =>
    errors.push(reason instanceof Error ? reason : new Error(String(reason)));
  process.on("unhandledRejection", onError);
  process.on("uncaughtException", onError);
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const before = recorder.records.length;
      try {
        process.emit("beforeExit", 0);
      } catch (e) {
        onError(e);
      }
      await drain(options.timeoutSeconds ?? 60).catch(onError);
      await new Promise((resolve) => setImmediate(resolve));
      if (recorder.records.length === before || errors.length > 0) break;
    }
  } finally {
    process.off("unhandledRejection", onError);
    process.off("uncaughtException", onError);
  }
  const seen = new Set<string>();
  return {
    resources: [...recorder.records],
    outputs: ran.outputs,
    errors: errors.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true))),
  };
}
