/**
 * `s3-event-routes local [--demo] [options]`: the local event loop (`npm run local` in this repository).
 *
 * Evaluates the stack offline (as `npm run plan`), starts a real S3-compatible server (s3rver) on
 * 127.0.0.1 with the stack's buckets, and delivers every object event along the stack's routes to
 * the real handlers, in-process (see cli/local/loop.ts for what is simulated and how).
 *
 * Interactive (default): runs until Ctrl-C; upload with any S3 client pointed at the endpoint.
 * `--demo`: uploads sample files itself, waits for every delivery, prints a summary and exits 0,
 * or 1 when a delivery failed unexpectedly or did not settle within `--timeout`.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CommandSpec, numberOption, ParsedArgs, stringOption, withCommonOptions } from "./args";
import { Command } from "./command";
import { peerRange } from "../components/packageRoot";
import { assertWritable, BIN } from "./packageRoot";
import { defaultStack, projectDirOf } from "./workspace";
import type * as Demo from "./local/demo";
import type * as Loop from "./local/loop";
import type { LocalLoop } from "./local/loop";

interface Args {
  demo: boolean;
  stack: string;
  port: number;
  webhookPort: number;
  dataDir?: string;
  summaryJson?: string;
  timeoutSeconds: number;
  redeliveryMs: number;
  retryDelayMs: number;
  handlerLogs: boolean;
}

const spec: CommandSpec = withCommonOptions({
  name: "local",
  description:
    "Evaluates the stack offline (as plan does), starts a real S3-compatible server (s3rver) on 127.0.0.1 with\n" +
    "the stack's buckets, and delivers every object event along the stack's routes to the reference handlers\n" +
    "in-process, through local stand-ins for SNS, SQS (with redelivery and dead-letter queues), Step Functions\n" +
    "and webhooks. Runs until Ctrl-C; --demo uploads sample objects itself, waits for every delivery and exits.\n" +
    "Needs s3rver installed next to the package (npm install --save-dev s3rver).",
  positionals: [],
  options: [
    {
      name: "demo",
      doc: "upload one sample object per route, wait for every delivery, print a summary and exit",
    },
    { name: "port", value: "<n>", doc: "s3rver's port on 127.0.0.1 (default 4569; 0: a free one)" },
    { name: "webhook-port", value: "<n>", doc: "the webhook receiver's port (default 0: a free one)" },
    {
      name: "data-dir",
      value: "<dir>",
      doc: "keep s3rver's buckets in <dir> (default: a temporary directory, removed)",
    },
    { name: "summary-json", value: "<file>", doc: "write the summary as JSON to <file>" },
    {
      name: "timeout",
      value: "<seconds>",
      doc: "--demo: how long to wait for deliveries to settle (default 60)",
    },
    {
      name: "redelivery-ms",
      value: "<n>",
      doc: "how long a failed SQS message stays invisible (default 250)",
    },
    {
      name: "retry-delay-ms",
      value: "<n>",
      doc: "the delay between asynchronous Lambda retries (default 250)",
    },
    { name: "handler-logs", doc: "print the handlers' own log lines" },
  ],
  epilogue:
    "Exit status: 0 every delivery settled as expected, 1 a delivery failed unexpectedly or did not settle, 2 the program failed or the arguments are wrong.",
});

function localArgs(args: ParsedArgs, cwd: string, dir: string): Args {
  const number = (name: string, fallback: number) => numberOption(BIN, spec, args, name, fallback);
  const given = stringOption(args, "stack");
  const dataDir = stringOption(args, "data-dir");
  const summaryJson = stringOption(args, "summary-json");
  if (dataDir !== undefined) assertWritable(resolve(cwd, dataDir), dir, "--data-dir");
  if (summaryJson !== undefined) assertWritable(resolve(cwd, summaryJson), dir, "--summary-json");
  return {
    demo: args.options.demo === true,
    stack: given ?? defaultStack(dir),
    port: number("port", 4569),
    webhookPort: number("webhook-port", 0),
    ...(dataDir !== undefined ? { dataDir: resolve(cwd, dataDir) } : {}),
    ...(summaryJson !== undefined ? { summaryJson: resolve(cwd, summaryJson) } : {}),
    timeoutSeconds: number("timeout", 60),
    redeliveryMs: number("redelivery-ms", 250),
    retryDelayMs: number("retry-delay-ms", 250),
    handlerLogs: args.options["handler-logs"] === true,
  };
}

function banner(loop: LocalLoop, args: Args, scratchBucket: string): string[] {
  const buckets = loop.topology.buckets;
  const uploads = loop.topology.routes.find((r) => r.bucket === "uploads")?.bucketName ?? buckets[0];
  const routes = loop.topology.routes.filter((r) => r.delivery !== "cloudtrail");
  const lines = [
    `Local event loop for stack "${args.stack}" — s3rver on ${loop.endpoint}, handlers in-process.`,
    ...loop.notes.map((n) => `note: ${n}`),
    `  buckets: ${buckets.join(", ")} (names from the offline plan)`,
    `  routes: ${routes.map((r) => `${r.route} → ${r.target}`).join("; ")}`,
    `  webhook receiver (stands in for the partner): ${loop.webhookUrl}`,
    "  DynamoDB (metadata index, idempotency, workflow results) is in memory; email and SMS are printed, not sent.",
    `  s3rver data: ${loop.directory}${args.dataDir ? " (kept)" : " (removed at exit)"}`,
  ];
  if (!args.demo) {
    lines.push(
      "",
      "Upload with any S3 client (path-style; s3rver accepts only the credentials S3RVER/S3RVER), e.g.:",
      `  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --endpoint-url ${loop.endpoint} s3 cp photo.jpg s3://${uploads}/images/photo.jpg`,
      `  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --endpoint-url ${loop.endpoint} s3 rm s3://${uploads}/images/photo.jpg`,
      `  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --endpoint-url ${loop.endpoint} s3 mb s3://${scratchBucket}`,
      "Ctrl-C stops.",
    );
  }
  return [...lines, ""];
}

async function run(parsed: ParsedArgs): Promise<number> {
  const start = resolve(stringOption(parsed, "cwd") ?? ".");
  const dir = projectDirOf(start);
  const args = localArgs(parsed, start, dir);
  if (stringOption(parsed, "stack") !== undefined && !existsSync(join(dir, `Pulumi.${args.stack}.yaml`)))
    throw new Error(
      `No stack file ${join(dir, `Pulumi.${args.stack}.yaml`)}: create it with "pulumi stack init ${args.stack}", or pass another --stack.`,
    );
  requireLocalPackages();
  // Loaded only now: they need what requireLocalPackages checked.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { LocalLoop } = require("./local/loop") as typeof Loop;
  const { runDemo, DEMO_SCRATCH_BUCKET } = require("./local/demo") as typeof Demo;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const print = (line: string) => console.log(line);
  const started = Date.now();
  print(`Evaluating stack "${args.stack}" offline (Pulumi mocks) for its buckets and routes...`);
  const loop = await LocalLoop.start({
    root: dir,
    stack: args.stack,
    port: args.port,
    webhookPort: args.webhookPort,
    directory: args.dataDir,
    redeliveryMs: args.redeliveryMs,
    retryDelayMs: args.retryDelayMs,
    handlerLogs: args.handlerLogs,
    print,
  });
  for (const line of banner(loop, args, DEMO_SCRATCH_BUCKET)) print(line);
  print(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const finish = async (settledInTime: boolean): Promise<number> => {
    await loop.stop();
    print("");
    for (const line of loop.summaryLines()) print(line);
    const summary = loop.summary();
    if (args.summaryJson) writeFileSync(args.summaryJson, JSON.stringify(summary, null, 2));
    print(`stopped after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (!settledInTime) {
      // Deliveries still running (a handler within its timeout) would hold the process open.
      print("some deliveries had not settled: exiting without waiting for them.");
      process.exit(1);
    }
    // No process.exit: the process ends when the last handle closes, which proves nothing is left open.
    return summary.failures.length === 0 ? 0 : 1;
  };

  if (args.demo) {
    const settled = await runDemo(loop, args.timeoutSeconds * 1000, print);
    return finish(settled);
  }
  let stopped: (status: number) => void = () => undefined;
  const status = new Promise<number>((r) => (stopped = r));
  let stopping = false;
  const onSignal = () => {
    if (stopping) {
      print("second interrupt: exiting now.");
      process.exit(130);
    }
    stopping = true;
    print(`\nstopping: waiting for ${loop.pending} deliveries in flight (Ctrl-C again to quit at once)...`);
    const grace = new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref());
    void Promise.race([loop.settled().then(() => true), grace]).then(async (settled) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      stopped(await finish(settled));
    });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return status;
}

/**
 * What the loop needs that the package does not install (optional peers: only `local` uses them):
 * s3rver, the S3-compatible server, and aws-sdk-client-mock, which stands in for DynamoDB.
 */
export const LOCAL_PACKAGES: readonly string[] = ["s3rver", "aws-sdk-client-mock"];

/** Fails with the install command when a package the loop needs is missing. */
function requireLocalPackages(): void {
  const missing = LOCAL_PACKAGES.filter((name) => {
    try {
      require.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0)
    throw new Error(
      `The local loop needs ${missing.join(" and ")}, not installed with the package: ` +
        `npm install --save-dev ${missing.map((n) => `${n}@${peerRange(n)}`).join(" ")}`,
    );
}

/** `s3-event-routes local`. */
export const localCommand: Command = { spec, run };
