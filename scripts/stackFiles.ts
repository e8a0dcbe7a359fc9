/**
 * Reads a stack's configuration the way the Pulumi CLI hands it to a program, without the CLI:
 * the project's declared defaults (Pulumi.yaml `config:`) overlaid with the stack file
 * (Pulumi.<stack>.yaml). Secrets cannot be decrypted offline: a declared secret without a
 * plain value gets a placeholder (marked secret) and a note saying so.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** A stack's configuration, ready for the mock engine. */
export interface StackFiles {
  /** The project's name. */
  project: string;
  /** The stack's name. */
  stack: string;
  /** `"<namespace>:<key>"` → value (strings, numbers, booleans, arrays, objects). */
  config: Record<string, unknown>;
  /** Keys to treat as secrets. */
  secretKeys: string[];
  /** What could not be reproduced offline, for the reader. */
  notes: string[];
}

/** The value used offline for a secret the CLI would decrypt. */
export const OFFLINE_SECRET = "offline-placeholder-secret";

interface DeclaredKey {
  type?: string;
  default?: unknown;
  secret?: boolean;
  description?: string;
}

/**
 * Loads Pulumi.yaml and Pulumi.<stack>.yaml from `dir`.
 *
 * @throws Error naming the missing or malformed file.
 */
export function loadStackFiles(dir: string, stack: string): StackFiles {
  const projectFile = join(dir, "Pulumi.yaml");
  if (!existsSync(projectFile)) throw new Error(`No Pulumi.yaml in ${dir}: is this a Pulumi project?`);
  const project = parse(readFileSync(projectFile, "utf8")) as {
    name?: string;
    config?: Record<string, unknown>;
  };
  if (!project?.name) throw new Error(`${projectFile} has no "name".`);
  const stackFile = join(dir, `Pulumi.${stack}.yaml`);
  if (!existsSync(stackFile)) {
    throw new Error(
      `No stack file ${stackFile}. Stacks here: create one with "pulumi stack init ${stack}", or pick --stack dev.`,
    );
  }
  const stackDoc = (parse(readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const name = project.name;
  const qualify = (key: string) => (key.includes(":") ? key : `${name}:${key}`);
  const config: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  const notes: string[] = [];
  const declared = new Map<string, DeclaredKey>();
  for (const [key, spec] of Object.entries(project.config ?? {})) {
    const full = qualify(key);
    const decl: DeclaredKey =
      spec !== null && typeof spec === "object" ? (spec as DeclaredKey) : { default: spec };
    declared.set(full, decl);
    const fallback = decl.default ?? (decl as { value?: unknown }).value;
    if (fallback !== undefined) config[full] = fallback;
  }
  for (const [key, value] of Object.entries(stackDoc.config ?? {})) {
    const full = qualify(key);
    if (value !== null && typeof value === "object" && "secure" in (value as object)) {
      config[full] = OFFLINE_SECRET;
      secretKeys.push(full);
      notes.push(`${full} is encrypted in ${stackFile}; the offline plan uses a placeholder secret.`);
    } else {
      config[full] = value;
    }
  }
  for (const [full, decl] of declared) {
    if (decl.secret && !secretKeys.includes(full)) {
      if (config[full] === undefined) {
        config[full] = OFFLINE_SECRET;
        notes.push(
          `${full} is a secret not set for stack "${stack}"; the offline plan uses a placeholder (set it with pulumi config set --secret ${full.split(":")[1]} ... before pulumi up).`,
        );
      }
      secretKeys.push(full);
    }
  }
  return { project: name, stack, config, secretKeys, notes };
}
