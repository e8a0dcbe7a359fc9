/**
 * The local event loop: `npm run local -- [--demo] [options]`.
 *
 * Evaluates the stack offline (as `npm run plan`), starts a real S3-compatible server (s3rver) on
 * 127.0.0.1 with the stack's buckets, and delivers every object event along the stack's routes to
 * the real handlers, in-process (see cli/local/loop.ts for what is simulated and how).
 *
 * Interactive (default): runs until Ctrl-C; upload with any S3 client pointed at the endpoint.
 * `--demo`: uploads sample files itself, waits for every delivery, prints a summary and exits 0,
 * or 1 when a delivery failed unexpectedly or did not settle within `--timeout`.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { DEMO_SCRATCH_BUCKET, runDemo } from "./local/demo";
import { LocalLoop } from "./local/loop";

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

const USAGE =
  "usage: npm run local -- [--demo] [--stack <env>] [--port <n>] [--webhook-port <n>] [--data-dir <dir>]\n" +
  "                        [--summary-json <file>] [--timeout <seconds>] [--redelivery-ms <n>] [--retry-delay-ms <n>] [--handler-logs]";

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    demo: false,
    stack: "dev",
    port: 4569,
    webhookPort: 0,
    timeoutSeconds: 60,
    redeliveryMs: 250,
    retryDelayMs: 250,
    handlerLogs: false,
  };
  const value = (i: number, name: string): string => argv[i] ?? fail(`${name} needs a value.\n${USAGE}`);
  const number = (i: number, name: string): number => {
    const text = value(i, name);
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) fail(`${name} needs a whole number, got "${text}".\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--demo") args.demo = true;
    else if (a === "--stack") args.stack = value(++i, a);
    else if (a === "--port") args.port = number(++i, a);
    else if (a === "--webhook-port") args.webhookPort = number(++i, a);
    else if (a === "--data-dir") args.dataDir = resolve(value(++i, a));
    else if (a === "--summary-json") args.summaryJson = resolve(value(++i, a));
    else if (a === "--timeout") args.timeoutSeconds = number(++i, a);
    else if (a === "--redelivery-ms") args.redeliveryMs = number(++i, a);
    else if (a === "--retry-delay-ms") args.retryDelayMs = number(++i, a);
    else if (a === "--handler-logs") args.handlerLogs = true;
    else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${a}.\n${USAGE}`);
  }
  return args;
}

function banner(loop: LocalLoop, args: Args): string[] {
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
      `  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --endpoint-url ${loop.endpoint} s3 mb s3://${DEMO_SCRATCH_BUCKET}`,
      "Ctrl-C stops.",
    );
  }
  return [...lines, ""];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const print = (line: string) => console.log(line);
  const started = Date.now();
  print(`Evaluating stack "${args.stack}" offline (Pulumi mocks) for its buckets and routes...`);
  const loop = await LocalLoop.start({
    root: resolve(__dirname, ".."),
    stack: args.stack,
    port: args.port,
    webhookPort: args.webhookPort,
    directory: args.dataDir,
    redeliveryMs: args.redeliveryMs,
    retryDelayMs: args.retryDelayMs,
    handlerLogs: args.handlerLogs,
    print,
  });
  for (const line of banner(loop, args)) print(line);
  print(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const finish = async (settledInTime: boolean): Promise<void> => {
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
    process.exitCode = summary.failures.length === 0 ? 0 : 1;
  };

  if (args.demo) {
    const settled = await runDemo(loop, args.timeoutSeconds * 1000, print);
    await finish(settled);
    return;
  }
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
      await finish(settled);
    });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(2);
});
