/**
 * Runs one benchmark program in this (fresh) process under the mock engine and prints one JSON
 * line: time to declare and register everything, peak RSS, registrations, errors.
 *
 *   node [--stack-trace-limit=0] -r ts-node/register/transpile-only bench/programs/child.ts \
 *     <hand|per-route|shared> <buckets> <routesPerBucket> [alarms] [named] [graph]
 *
 * `alarms` adds an Alarms component watching every bucket and target (our side only); `named`
 * gives every bucket a physical name; `graph` adds the deploy graph's figures
 * (bench/programs/graph.ts).
 */
import { performance } from "node:perf_hooks";
import { installMockEngine, runProgram } from "../../components/testing/mockEngine";
import { GraphStats, graphStats } from "./graph";
import { Shape } from "./shape";

/** What a child reports. */
export interface ChildResult {
  /** Milliseconds from the start of the program to the last registration. */
  programMs: number;
  /** CPU milliseconds (user + system, all threads) over the same span: less sensitive to a busy machine. */
  cpuMs: number;
  /** Milliseconds from process start to the last registration (module loading included). */
  processMs: number;
  /** Peak resident set size, MiB. */
  maxRssMiB: number;
  /** Registrations (components and custom resources). */
  registrations: number;
  /** Custom resources. */
  custom: number;
  /** Error messages the program raised. */
  errors: string[];
  /** The deploy graph, when asked for. */
  graph?: GraphStats;
}

async function main(): Promise<void> {
  const [side, buckets, perBucket, ...options] = process.argv.slice(2);
  const shape: Shape = { buckets: Number(buckets), routesPerBucket: Number(perBucket) };
  if (
    !["hand", "per-route", "shared"].includes(side) ||
    !(shape.buckets > 0) ||
    !(shape.routesPerBucket > 0)
  ) {
    throw new Error(
      `usage: child.ts <hand|per-route|shared> <buckets> <routesPerBucket> [alarms] [named] [graph]`,
    );
  }
  installMockEngine({ project: "bench", stack: "bench" });
  // Import the side's module only, so the baseline does not load the components.
  const program =
    side === "hand"
      ? (await import("./handWritten")).handWritten(shape, options.includes("named"))
      : (await import("./eventRoutes")).eventRoutes(shape, side === "shared" ? "shared" : "per-route", {
          alarms: options.includes("alarms"),
          named: options.includes("named"),
        });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const run = await runProgram(program, { timeoutSeconds: 600 });
  const ended = performance.now();
  const used = process.cpuUsage(cpu);
  const result: ChildResult = {
    programMs: ended - started,
    cpuMs: (used.user + used.system) / 1000,
    processMs: ended,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    registrations: run.resources.length,
    custom: run.resources.filter((r) => r.custom).length,
    errors: run.errors.map((e) => e.message),
    graph: options.includes("graph") ? graphStats(run.resources) : undefined,
  };
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
