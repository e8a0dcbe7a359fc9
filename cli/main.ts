#!/usr/bin/env node
/**
 * `s3-event-routes`: the package's command. Acts on the Pulumi project in the current directory (or
 * the one `--cwd` names), offline: no AWS account, no Pulumi CLI.
 *
 *     s3-event-routes plan     [--stack <name>] [--json] [--diagram <file> | --no-diagram]
 *     s3-event-routes check    [<program|dir>...] [--stack <name>] [--json] [--jobs <n>]
 *     s3-event-routes explain  <bucket> <key> [<event>] [--stack <name>] [--json]
 *     s3-event-routes local    [--demo] [--stack <name>] [--port <n>] ...
 *
 * Each command's module is loaded only when it runs, so that `plan` does not need what `local`
 * needs (s3rver) and `--help` is instant.
 */
import { closest, helpText, parseArgs, UsageError } from "./args";
import type { Command } from "./command";
import { BIN, packageVersion } from "./packageRoot";

/* eslint-disable @typescript-eslint/no-require-imports */
/** Each command's one-line summary (here, so that the overview loads no command) and its module. */
const COMMANDS: Record<string, { summary: string; load: () => Command }> = {
  plan: {
    summary: "evaluate the stack offline: resources, routes, policy verdicts and a diagram",
    load: () => (require("./plan") as typeof import("./plan")).planCommand,
  },
  check: {
    summary: "run the policy pack on Pulumi programs (yours or plain @pulumi/aws ones), offline",
    load: () => (require("./check") as typeof import("./check")).checkCommand,
  },
  explain: {
    summary: "say which targets an event on a key reaches, and why",
    load: () => (require("./explain") as typeof import("./explain")).explainCommand,
  },
  local: {
    summary: "run the stack's routes locally: a real S3 server, the handlers in-process",
    load: () => (require("./local") as typeof import("./local")).localCommand,
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The overview `s3-event-routes --help` prints. */
export function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `usage: ${BIN} <command> [arguments] [options]`,
    "",
    "Plans, checks, explains and runs locally the S3 event routes of the Pulumi project in the current",
    "directory (or --cwd <dir>), with its Pulumi.yaml and Pulumi.<stack>.yaml - offline: no AWS account,",
    "no Pulumi CLI.",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    `${BIN} <command> --help describes a command's options. ${BIN} --version prints the version.`,
    "",
  ].join("\n");
}

/**
 * Runs the command line `argv` (without node and the script).
 *
 * @returns the exit status.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const about = name === "help" && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    process.stdout.write(about ? helpText(BIN, about.load().spec) : overview());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    const guess = closest(name, Object.keys(COMMANDS));
    process.stderr.write(
      `${BIN}: unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ""}. Commands: ${Object.keys(COMMANDS).join(", ")}.\n` +
        `${BIN} --help says more.\n`,
    );
    return 2;
  }
  const command = entry.load();
  try {
    const args = parseArgs(BIN, command.spec, rest);
    if (args.help) {
      process.stdout.write(helpText(BIN, command.spec));
      return 0;
    }
    return await command.run(args);
  } catch (e) {
    // Errors the command expects (bad arguments, a project it cannot run) are one message; anything
    // else is a defect of the command, shown with its stack.
    const expected = e instanceof UsageError || (e instanceof Error && !(e instanceof TypeError));
    process.stderr.write(
      `${expected ? (e as Error).message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
