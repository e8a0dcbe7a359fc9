/**
 * The project a command acts on, found as `pulumi preview` would find it: the nearest Pulumi.yaml at
 * or above the working directory (or `--cwd`), its program (Pulumi.yaml `main`, runtime options,
 * tsconfig, `"type": "module"`), the stack's configuration (the project's declared defaults under
 * Pulumi.<stack>.yaml) and the project's own dependencies.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { ProgramProject, readProject } from "./checker/project";
import { findProjectDir, loadStackFiles, StackFiles } from "./stackFiles";

/** A project, ready to evaluate. */
export interface Workspace {
  /** The directory holding Pulumi.yaml. */
  dir: string;
  /** The stack's name. */
  stack: string;
  /** The stack's configuration. */
  files: StackFiles;
  /** The program as the language host would run it. */
  project: ProgramProject;
  /** The default AWS region (`aws:region`, else us-east-1). */
  region: string;
  /** What the reader should know (secrets stood in for, a missing stack file, node arguments not applied). */
  notes: string[];
}

/** Where to look and what to read. */
export interface WorkspaceOptions {
  /** `--cwd`: the directory to start from; default the process's working directory. */
  cwd?: string;
  /** `--stack`; default: the only stack file, else `dev`. */
  stack?: string;
  /** A program file to run instead of the project's entry point. */
  program?: string;
  /** Accept a missing stack file even when `stack` is given (the project's defaults alone). Default: only when `stack` is not given. */
  optionalStackFile?: boolean;
}

/** The stacks that have a Pulumi.<stack>.yaml in `dir`, sorted. */
export function stackFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/**
 * The stack to read when `--stack` is not given: the project's only stack file, else `dev` when it
 * has one (the stack `pulumi new` creates), else none (the project's defaults alone).
 *
 * @throws Error listing the stack files when there are several and none is `dev`.
 */
export function defaultStack(dir: string): string {
  const stacks = stackFilesIn(dir);
  if (stacks.length === 1) return stacks[0];
  if (stacks.length === 0 || stacks.includes("dev")) return "dev";
  throw new Error(
    `${dir} has several stacks (${stacks.map((s) => `Pulumi.${s}.yaml`).join(", ")}): pass --stack <name>.`,
  );
}

/**
 * The project directory for `start`: the nearest one at or above it holding a Pulumi.yaml.
 *
 * @throws Error saying where it looked and what to do.
 */
export function projectDirOf(start: string): string {
  const dir = findProjectDir(start);
  if (!dir)
    throw new Error(
      `No Pulumi.yaml in ${start} or any directory above it: run this in a Pulumi project, or pass --cwd <project dir>.`,
    );
  return dir;
}

/**
 * Finds and reads the project.
 *
 * @throws Error in one sentence naming the directory, file or option at fault and what to do.
 */
export function openWorkspace(options: WorkspaceOptions = {}): Workspace {
  const start = resolve(options.cwd ?? process.cwd());
  if (!existsSync(start) || !statSync(start).isDirectory())
    throw new Error(`--cwd ${options.cwd}: no such directory.`);
  const dir = projectDirOf(start);
  const stack = options.stack ?? defaultStack(dir);
  const files = loadStackFiles(dir, stack, options.optionalStackFile ?? options.stack === undefined);
  const notes = [...files.notes];
  if (!files.stackFile)
    notes.push(
      `${join(dir, `Pulumi.${stack}.yaml`)} does not exist; using the project's defaults only (aws:region us-east-1 unless declared).`,
    );
  if (options.program !== undefined && !existsSync(resolve(start, options.program)))
    throw new Error(`${options.program} does not exist in ${start}.`);
  const project = readProject(
    dir,
    options.program === undefined ? undefined : resolve(start, options.program),
  );
  if (!project.packages.some((p) => p.name === "@pulumi/pulumi"))
    throw new Error(
      `@pulumi/pulumi cannot be resolved from ${dir}: run npm install there (the project's package.json lists its dependencies).`,
    );
  const region = files.config["aws:region"];
  return {
    dir,
    stack,
    files,
    project,
    region: typeof region === "string" && region !== "" ? region : "us-east-1",
    notes,
  };
}
