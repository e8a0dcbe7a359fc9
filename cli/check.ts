/**
 * The offline policy checker: runs Pulumi TypeScript programs under the mock engine, in child
 * processes, evaluates the s3-event-routes policy pack on what they register, and prints the
 * violations.
 *
 *     s3-event-routes check [<program|dir>...] [--json] [--stack <name>] [--jobs <n>] [--cwd <dir>]
 *
 * Without a program it checks the project at `--cwd` (its entry point). Configuration comes from
 * `Pulumi.<stack>.yaml` next to each program's `Pulumi.yaml` (`--stack`, else the project's only
 * stack file, else `dev`). Several programs are shared out between up
 * to `--jobs` children (default: the number of CPUs), each running its share one after another.
 *
 * Exit status: 0 when no mandatory policy is violated, 1 when one is, 2 when a program (or a
 * policy) fails to run or the arguments are wrong, 3 when a mandatory policy is violated in one
 * program and another could not be checked. Each program gets its own verdict.
 */
import { ChildProcess, fork } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  CommandSpec,
  numberOption,
  ParsedArgs,
  parseArgs as parseCommandLine,
  stringOption,
  withCommonOptions,
} from "./args";
import type { ChildMessage, ChildRequest, ProgramResult } from "./checker/child";
import { describePackages, ProgramProject, readProject } from "./checker/project";
import { Command, err, out } from "./command";
import { BIN } from "./packageRoot";
import { findProjectDir, loadStackFiles, StackFiles } from "./stackFiles";
import { defaultStack } from "./workspace";

/** The parsed command line. */
export interface CheckOptions {
  /** Print JSON instead of text. */
  json: boolean;
  /** The stack whose configuration to read (`--stack`); undefined: each project's default (its only stack file, else dev). */
  stack?: string;
  /** The most children to run at once. */
  jobs: number;
  /** The programs, as given (files or project directories); empty: the project at `cwd`. */
  programs: string[];
  /** The directory programs are relative to (`--cwd`, default the working directory). */
  cwd: string;
}

const spec: CommandSpec = withCommonOptions({
  name: "check",
  description:
    "Runs each program under Pulumi mocks, in child processes, as Pulumi's Node.js host would (Pulumi.yaml main,\n" +
    "runtime options, tsconfig, ES modules, the program's own @pulumi/pulumi), with its stack's configuration,\n" +
    "and evaluates the s3-event-routes policy pack on what it registers. Each program gets its own verdict.\n" +
    "Without a program it checks the project at --cwd (default: the current directory).",
  positionals: [
    {
      name: "program",
      doc: "a program file or a project directory (relative to --cwd); default: the project itself",
      optional: true,
      variadic: true,
    },
  ],
  options: [
    { name: "json", doc: "print a machine-readable report: {status, summary, programs[]}" },
    {
      name: "jobs",
      value: "<n>",
      doc: "run at most n child processes at once (default: the number of CPUs)",
    },
  ],
  epilogue:
    "Exit status: 0 no mandatory violation, 1 a mandatory policy is violated, 2 a program could not be checked\n" +
    "(or the arguments are wrong), 3 both. A summary comes first; progress goes to stderr on long runs.",
});

/**
 * Parses the command line.
 *
 * @throws UsageError naming the argument at fault.
 */
export function parseArgs(argv: readonly string[]): CheckOptions {
  return checkOptions(parseCommandLine(BIN, spec, argv));
}

function checkOptions(args: ParsedArgs): CheckOptions {
  const stack = stringOption(args, "stack");
  const cwd = stringOption(args, "cwd");
  return {
    json: args.options.json === true,
    stack,
    jobs: numberOption(BIN, spec, args, "jobs", os.cpus().length || 1, 1),
    programs: args.positionals.program as string[],
    cwd: path.resolve(cwd ?? "."),
  };
}

/** One program's outcome, as printed. */
export interface ProgramReport {
  /** The program, as given on the command line. */
  program: string;
  /** The stack whose configuration was used. */
  stack: string;
  /** How many resources it registered. */
  resources: number;
  /** The violations. */
  violations: ProgramResult["violations"];
  /** Why the program could not be checked, if it could not. */
  error?: string;
  /** The @pulumi/pulumi and @pulumi/aws versions it ran with, e.g. `@pulumi/pulumi 3.113.0 (the program's own), ...`. */
  ranWith?: string;
}

/** The child's module: child.ts from the sources (under ts-node), child.js from the package's build. */
const CHILD = path.join(__dirname, "checker", `child${path.extname(__filename)}`);
const FROM_SOURCES = path.extname(__filename) === ".ts";

/** Runs `programs` (absolute paths) in one child process; resolves with one result per program. */
export function runChild(request: ChildRequest, cwd: string, nodeArgs?: string[]): Promise<ProgramResult[]> {
  return new Promise((resolve) => {
    const results: ProgramResult[] = [];
    let stderr = "";
    const child: ChildProcess = fork(CHILD, [], {
      cwd,
      // From the sources, the checker's own code is compiled with the repository's tsconfig, wherever
      // the program is; the package's build is JavaScript and needs no compiler of its own.
      env: FROM_SOURCES
        ? { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "tsconfig.json") }
        : process.env,
      execArgv: [
        ...(nodeArgs ?? []),
        ...(FROM_SOURCES ? ["-r", require.resolve("ts-node/register/transpile-only")] : []),
      ],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    // The programs' own output goes to stderr, so that --json output stays parseable.
    child.stdout?.on("data", (d: Buffer) => process.stderr.write(d));
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
      process.stderr.write(d);
    });
    child.on("message", (m: ChildMessage) => {
      if (m.kind === "result") results.push(m.result);
    });
    child.on("exit", (code, signal) => {
      for (const program of request.programs.slice(results.length)) {
        results.push({
          program,
          resources: 0,
          violations: [],
          error: `the checker's child process exited (${signal ?? `code ${code}`}) before this program was checked${
            stderr ? `:\n${stderr.trim()}` : ""
          }`,
          errorKind: "program",
          runMs: 0,
          evalMs: 0,
          maxRssBytes: 0,
        });
      }
      resolve(results);
    });
    child.send(request);
  });
}

/** Runs tasks with at most `limit` at once, keeping their order. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}

/** The programs of one project, run against one stack configuration. */
interface ProjectGroup {
  config: StackFiles;
  project: ProgramProject;
  programs: { given: string; abs: string }[];
}

/**
 * Reads the project a program belongs to (Pulumi.yaml, stack file, own dependencies), or says in
 * one sentence why it cannot be run.
 */
function projectOf(
  given: string | undefined,
  options: CheckOptions,
  notes: string[],
): { config: StackFiles; project: ProgramProject; abs: string } | { error: string; abs?: string } {
  const abs = path.resolve(options.cwd, given ?? ".");
  if (!fs.existsSync(abs))
    return {
      error: `${given} does not exist: pass the path of a Pulumi TypeScript program or project directory (default: the project itself).`,
    };
  const isDir = fs.statSync(abs).isDirectory();
  const dir = findProjectDir(isDir ? abs : path.dirname(abs));
  if (!dir)
    return {
      error: `no Pulumi.yaml in ${isDir ? abs : path.dirname(abs)} or any directory above it: run this in a Pulumi project, or pass --cwd <project dir>.`,
    };
  let config: StackFiles;
  let project: ProgramProject;
  let stack: string;
  try {
    project = readProject(dir, isDir ? undefined : abs);
  } catch (e) {
    return { error: (e as Error).message };
  }
  try {
    stack = options.stack ?? defaultStack(dir);
    config = loadStackFiles(dir, stack, true);
  } catch (e) {
    return { error: (e as Error).message, abs: project.entry };
  }
  for (const n of config.notes) if (!notes.includes(`note: ${n}`)) notes.push(`note: ${n}`);
  if (!config.stackFile) {
    const file = path.join(config.projectDir, `Pulumi.${stack}.yaml`);
    if (options.stack !== undefined)
      return {
        error: `${file} does not exist: create it (pulumi stack init ${stack}; pulumi config set ...) or pass another --stack.`,
        abs: project.entry,
      };
    const note = `note: ${file} does not exist; checking with no stack configuration (aws:region us-east-1).`;
    if (!notes.includes(note)) notes.push(note);
  }
  if (!project.packages.some((p) => p.name === "@pulumi/pulumi"))
    return {
      abs: project.entry,
      error: `${given ?? dir}: @pulumi/pulumi cannot be resolved from ${dir}: run npm install there (the program's package.json lists its dependencies).`,
    };
  for (const loader of project.replacedLoaders) {
    const note = `note: ${path.join(dir, "Pulumi.yaml")} runtime.options.nodeargs "${loader}": the checker loads the program with ts-node's ${project.esm ? "ESM hooks" : "require hook"} itself, as Pulumi's host does.`;
    if (!notes.includes(note)) notes.push(note);
  }
  return { config, project, abs: project.entry };
}

/** Checks the programs: reads their projects and stacks' configuration, runs them in children, gathers the reports. */
export async function check(options: CheckOptions): Promise<{ reports: ProgramReport[]; notes: string[] }> {
  const notes: string[] = [];
  const reports = new Map<string, ProgramReport>();
  const groups = new Map<string, ProjectGroup>();
  const shown: string[] = [];
  for (const arg of options.programs.length ? options.programs : [undefined]) {
    const found = projectOf(arg, options, notes);
    // Without a program, the project's entry point, as a path relative to where the user is.
    const given = arg ?? (found.abs ? path.relative(options.cwd, found.abs) || found.abs : ".");
    shown.push(given);
    if ("error" in found) {
      reports.set(given, {
        program: given,
        stack: options.stack ?? "dev",
        resources: 0,
        violations: [],
        error: found.error,
      });
      continue;
    }
    const { config, project } = found;
    const abs = project.entry;
    const group = groups.get(config.projectDir) ?? { config, project, programs: [] };
    group.programs.push({ given, abs });
    groups.set(config.projectDir, group);
  }

  const total = [...groups.values()].reduce((n, g) => n + g.programs.length, 0);
  const tasks: (() => Promise<{
    request: ChildRequest;
    cwd: string;
    nodeArgs: string[];
    given: string[];
    results: ProgramResult[];
  }>)[] = [];
  for (const { config, project, programs } of groups.values()) {
    const share = Math.max(1, Math.round((options.jobs * programs.length) / Math.max(total, 1)));
    // ES modules cannot be unloaded: each ES module program gets a child of its own.
    const chunks = project.esm ? programs.length : Math.min(share, programs.length);
    for (let c = 0; c < chunks; c++) {
      const mine = programs.filter((_, i) => i % chunks === c);
      const region = config.config["aws:region"];
      const request: ChildRequest = {
        programs: mine.map((p) => p.abs),
        runtime: {
          dir: project.dir,
          esm: project.esm,
          ...(project.tsconfig ? { tsconfig: project.tsconfig } : {}),
        },
        project: config.project,
        stack: config.stack,
        config: config.config,
        secretKeys: config.secretKeys,
        region: typeof region === "string" && region !== "" ? region : "us-east-1",
      };
      tasks.push(async () => ({
        request,
        cwd: config.projectDir,
        nodeArgs: project.nodeArgs,
        given: mine.map((p) => p.given),
        results: await runChild(request, config.projectDir, project.nodeArgs),
      }));
    }
  }
  let checked = 0;
  const started = Date.now();
  let lastSaid = started;
  const counted = tasks.map((task) => async () => {
    const result = await task();
    checked += result.given.length;
    // Progress on stderr once a run takes more than a few seconds, at most every 5 s.
    const now = Date.now();
    if (now - started > 3000 && (now - lastSaid > 5000 || checked === total)) {
      lastSaid = now;
      err(
        `checked ${checked} of ${total} program${total === 1 ? "" : "s"} (${((now - started) / 1000).toFixed(0)} s)`,
      );
    }
    return result;
  });
  const done = await pool(counted, options.jobs);
  // Programs run without stack frames (see ChildRequest.stackTraceLimit); re-run each one that
  // failed on its own, with frames on, so that its error says where (and a program that ended its
  // child process does not take the programs after it down with it).
  const retries = done.flatMap(({ request, cwd, nodeArgs, results }) =>
    results.flatMap((r, i) =>
      r.errorKind !== "program"
        ? []
        : [
            async () => {
              const [again] = await runChild(
                { ...request, programs: [request.programs[i]], stackTraceLimit: 10 },
                cwd,
                nodeArgs,
              );
              results[i] = again;
            },
          ],
    ),
  );
  await pool(retries, options.jobs);
  for (const { given, results, cwd, request } of done) {
    const project = groups.get(cwd)?.project;
    given.forEach((g, i) => {
      const r = results[i];
      reports.set(g, {
        program: g,
        stack: request.stack,
        resources: r.resources,
        violations: r.violations,
        ...(project ? { ranWith: describePackages(project.packages) } : {}),
        ...(r.error !== undefined ? { error: r.error } : {}),
      });
    });
  }
  return { reports: shown.map((p) => reports.get(p) as ProgramReport), notes };
}

/**
 * The exit status for a set of reports, one bit per outcome so that it says both: 1 when a
 * mandatory policy is violated (in any program that could be checked), 2 when a program could not
 * be checked, 3 when both, 0 when neither.
 */
export function exitStatus(reports: readonly ProgramReport[]): 0 | 1 | 2 | 3 {
  const mandatory = reports.some((r) => r.violations.some((v) => v.enforcementLevel === "mandatory")) ? 1 : 0;
  const failed = reports.some((r) => r.error !== undefined) ? 2 : 0;
  return (mandatory | failed) as 0 | 1 | 2 | 3;
}

/** The human-readable report: a one-line summary, then each program's verdict. */
export function formatText(reports: readonly ProgramReport[]): string {
  const lines: string[] = [];
  let mandatory = 0;
  let advisory = 0;
  for (const r of reports) {
    if (r.error !== undefined) {
      lines.push(`${r.program}: could not be checked:`, ...r.error.split("\n").map((l) => `  ${l}`), "");
      continue;
    }
    const n = r.violations.length;
    lines.push(
      `${r.program} (stack ${r.stack}, ${r.resources} resources): ${n === 0 ? "no violations" : `${n} violation${n === 1 ? "" : "s"}`}`,
    );
    if (r.ranWith?.includes("(the program's own)")) lines.push(`  ran with ${r.ranWith}`);
    for (const v of r.violations) {
      if (v.enforcementLevel === "mandatory") mandatory++;
      else advisory++;
      const where = v.resource ? `${v.resource.type} "${v.resource.name}"` : "(the stack)";
      lines.push(`  [${v.enforcementLevel}] ${v.policy}`, `    resource: ${where}`, `    ${v.message}`);
    }
    lines.push("");
  }
  const failed = reports.filter((r) => r.error !== undefined).length;
  const n = reports.length;
  // The summary first: a CI log shows the verdict without scrolling.
  const summary =
    `${n} program${n === 1 ? "" : "s"}: ${mandatory} mandatory, ${advisory} advisory violation${mandatory + advisory === 1 ? "" : "s"}` +
    (failed ? `; ${failed} could not be checked` : "") +
    ".";
  return [summary, "", ...lines].join("\n").trimEnd();
}

/** The machine-readable report. */
export function formatJson(reports: readonly ProgramReport[]): string {
  const count = (level: string) =>
    reports.reduce((n, r) => n + r.violations.filter((v) => v.enforcementLevel === level).length, 0);
  return JSON.stringify(
    {
      status: exitStatus(reports),
      summary: {
        mandatory: count("mandatory"),
        advisory: count("advisory"),
        failed: reports.filter((r) => r.error !== undefined).length,
      },
      programs: reports.map((r) => ({
        program: r.program,
        stack: r.stack,
        resources: r.resources,
        ranWith: r.ranWith ?? null,
        error: r.error ?? null,
        violations: r.violations.map((v) => ({
          policy: v.policy,
          enforcementLevel: v.enforcementLevel,
          resource: v.resource ?? null,
          message: v.message,
        })),
      })),
    },
    null,
    2,
  );
}

async function run(args: ParsedArgs): Promise<number> {
  const options = checkOptions(args);
  const { reports, notes } = await check(options);
  for (const n of notes) err(n);
  out(options.json ? formatJson(reports) : formatText(reports));
  return exitStatus(reports);
}

/** `s3-event-routes check`. */
export const checkCommand: Command = { spec, run };
