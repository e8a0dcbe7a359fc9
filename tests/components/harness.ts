/** Shared set-up for component tests: the mock engine, a code archive, and finders. */
import * as pulumi from "@pulumi/pulumi";
import {
  installMockEngine,
  runProgram,
  ProgramRun,
  RecordedResource,
} from "../../components/testing/mockEngine";

installMockEngine({ project: "s3-event-routes", stack: "test" });

/** A tiny deployable archive, so tests do not depend on the handler bundler. */
export const testCode = {
  code: new pulumi.asset.AssetArchive({
    "index.js": new pulumi.asset.StringAsset("exports.handler = async () => {};"),
  }),
  handler: "index.handler",
};

/** Runs a program and fails the test if the program raised any error. */
export async function run(program: () => unknown): Promise<ProgramRun> {
  const result = await runProgram(program);
  if (result.errors.length > 0) throw result.errors[0];
  return result;
}

/** Runs a program that must fail, and returns its first error's message. */
export async function runError(program: () => unknown): Promise<string> {
  const result = await runProgram(program);
  if (result.errors.length === 0) throw new Error("expected the program to fail, but it ran clean");
  return result.errors[0].message;
}

/** The parsed JSON of a policy input. */
export function policyOf(r: RecordedResource, field = "policy"): { Statement: Record<string, unknown>[] } {
  return JSON.parse(r.inputs[field] as string);
}

export { RecordedResource };
