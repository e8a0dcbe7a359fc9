/**
 * The offline policy checker: runs Pulumi TypeScript programs under the mock engine, in child
 * processes, evaluates the s3-event-routes policy pack on what they register, and prints the
 * violations.
 *
 *     node -r ts-node/register/transpile-only cli/check.ts [--json] [--stack <env>] [--jobs <n>] [<program.ts> ...]
 *
 * Without a program it checks `./index.ts`. Configuration comes from `Pulumi.<stack>.yaml` next to
 * the program's `Pulumi.yaml` (stack `dev` by default). Several programs are shared out between up
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
import type { ChildMessage, ChildRequest, ProgramResult } from "./checker/child";
import { describePackages, ProgramProject, readProject } from "./checker/project";
import { findProjectDir, loadStackFiles, StackFiles } from "./stackFiles";

/** The parsed command line. */
export interface CheckOptions {
  /** Print JSON instead of text. */
  json: boolean;
  /** The stack whose configuration to read. */
  stack: string;
  /** True when `--stack` was given (a missing stack file is then an error). */
  stackGiven: boolean;
  /** The most children to run at once. */
  jobs: number;
  /** The programs, as given. */
  programs: string[];
}

/** The usage line. */
export const USAGE =
  "usage: node -r ts-node/register/transpile-only cli/check.ts [--json] [--stack <env>] [--jobs <n>] [<program.ts> ...]";

/**
 * Parses the command line.
 *
 * @throws Error with the usage when an argument is not understood.
 */
export function parseArgs(argv: readonly string[]): CheckOptions {
  const out: CheckOptions = {
    json: false,
    stack: "dev",
    stackGiven: false,
    jobs: os.cpus().length || 1,
    programs: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") out.json = true;
    else if (a === "--stack" || a === "--jobs") {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value\n${USAGE}`);
      if (a === "--stack") {
        out.stack = v;
        out.stackGiven = true;
      } else {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1)
          throw new Error(`--jobs must be a positive integer, got "${v}"\n${USAGE}`);
        out.jobs = n;
      }
    } else if (a === "-h" || a === "--help") throw new Error(USAGE);
    else if (a.startsWith("-")) throw new Error(`unknown option "${a}"\n${USAGE}`);
    else out.programs.push(a);
  }
  if (out.programs.length === 0) out.programs.push("index.ts");
  return out;
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

const CHILD = path.join(__dirname, "checker", "child.ts");

/** Runs `programs` (absolute paths) in one child process; resolves with one result per program. */
export function runChild(request: ChildRequest, cwd: string, nodeArgs?: string[]): Promise<ProgramResult[]> {
  return new Promise((resolve) => {
    const results: ProgramResult[] = [];
    let stderr = "";
    const child: ChildProcess = fork(CHILD, [], {
      cwd,
      // The checker's own code is compiled with the checker's tsconfig, wherever the program is.
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "tsconfig.json") },
      execArgv: [...(nodeArgs ?? []), "-r", require.resolve("ts-node/register/transpile-only")],
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
  given: string,
  options: CheckOptions,
  notes: string[],
): { config: StackFiles; project: ProgramProject; abs: string } | { error: string } {
  const abs = path.resolve(given);
  if (!fs.existsSync(abs))
    return {
      error: `${given} does not exist: pass the path of a Pulumi TypeScript program (default ./index.ts).`,
    };
  const isDir = fs.statSync(abs).isDirectory();
  const dir = findProjectDir(isDir ? abs : path.dirname(abs));
  if (!dir)
    return { error: `no Pulumi.yaml in ${isDir ? abs : path.dirname(abs)} or any directory above it` };
  let config: StackFiles;
  let project: ProgramProject;
  try {
    config = loadStackFiles(dir, options.stack, true);
    project = readProject(dir, isDir ? undefined : abs);
  } catch (e) {
    return { error: (e as Error).message };
  }
  for (const n of config.notes) if (!notes.includes(`note: ${n}`)) notes.push(`note: ${n}`);
  if (!config.stackFile) {
    const file = path.join(config.projectDir, `Pulumi.${options.stack}.yaml`);
    if (options.stackGiven)
      return {
        error: `${file} does not exist: create it (pulumi stack init ${options.stack}; pulumi config set ...) or pass another --stack.`,
      };
    const note = `note: ${file} does not exist; checking with no stack configuration (aws:region us-east-1).`;
    if (!notes.includes(note)) notes.push(note);
  }
  if (!project.packages.some((p) => p.name === "@pulumi/pulumi"))
    return {
      error: `${given}: @pulumi/pulumi cannot be resolved from ${dir}: run npm install there (the program's package.json lists its dependencies).`,
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
  for (const given of options.programs) {
    const found = projectOf(given, options, notes);
    if ("error" in found) {
      reports.set(given, {
        program: given,
        stack: options.stack,
        resources: 0,
        violations: [],
        error: found.error,
      });
      continue;
    }
    const { config, project, abs } = found;
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
        stack: options.stack,
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
  const done = await pool(tasks, options.jobs);
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
  for (const { given, results, cwd } of done) {
    const project = groups.get(cwd)?.project;
    given.forEach((g, i) => {
      const r = results[i];
      reports.set(g, {
        program: g,
        stack: options.stack,
        resources: r.resources,
        violations: r.violations,
        ...(project ? { ranWith: describePackages(project.packages) } : {}),
        ...(r.error !== undefined ? { error: r.error } : {}),
      });
    });
  }
  return { reports: options.programs.map((p) => reports.get(p) as ProgramReport), notes };
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

/** The human-readable report. */
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
  lines.push(
    `${mandatory} mandatory, ${advisory} advisory violation${mandatory + advisory === 1 ? "" : "s"}` +
      (failed ? `; ${failed} program${failed === 1 ? "" : "s"} could not be checked` : "") +
      ".",
  );
  return lines.join("\n");
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

async function main(): Promise<void> {
  let options: CheckOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const { reports, notes } = await check(options);
  for (const n of notes) process.stderr.write(`${n}\n`);
  process.stdout.write(`${options.json ? formatJson(reports) : formatText(reports)}\n`);
  process.exitCode = exitStatus(reports);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  });
}
