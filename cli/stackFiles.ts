/**
 * Reads a stack's configuration the way the Pulumi CLI hands it to a program, without the CLI:
 * the project's declared defaults (Pulumi.yaml `config:`) overlaid with the stack file
 * (Pulumi.<stack>.yaml). Secrets cannot be decrypted offline: a `secure:` value, or a declared
 * secret with no value, becomes a placeholder marked secret, with a note saying so. Used by the
 * offline plan and the policy checker alike.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";

/** The value used offline for a secret the CLI would decrypt. */
export const OFFLINE_SECRET = "offline-placeholder-secret";

/** A stack's configuration, ready for the mock engine. */
export interface StackFiles {
  /** The project's name. */
  project: string;
  /** The directory holding Pulumi.yaml. */
  projectDir: string;
  /** The stack's name. */
  stack: string;
  /** The stack file read; undefined when it does not exist (and `optional` allowed that). */
  stackFile?: string;
  /** `"<namespace>:<key>"` → value (strings, numbers, booleans, arrays, objects). */
  config: Record<string, unknown>;
  /** Keys to treat as secrets. */
  secretKeys: string[];
  /** What could not be reproduced offline, for the reader. */
  notes: string[];
}

interface DeclaredKey {
  default?: unknown;
  value?: unknown;
  secret?: boolean;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** The nearest directory at or above `from` that holds a Pulumi.yaml, or undefined. */
export function findProjectDir(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Replaces `{ secure: ... }` values (at any depth) by the placeholder; `secret` tells whether it found one. */
function unsecure(v: unknown): { value: unknown; secret: boolean } {
  if (isMapping(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "secure") return { value: OFFLINE_SECRET, secret: true };
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const r = unsecure(v[k]);
      out[k] = r.value;
      secret ||= r.secret;
    }
    return { value: out, secret };
  }
  if (Array.isArray(v)) {
    let secret = false;
    const out = v.map((x) => {
      const r = unsecure(x);
      secret ||= r.secret;
      return r.value;
    });
    return { value: out, secret };
  }
  return { value: v, secret: false };
}

/**
 * The `config:` map of a stack file's text: keys namespaced with the project, secure values
 * replaced by {@link OFFLINE_SECRET}.
 *
 * @throws Error when the text is not YAML or `config` is not a mapping.
 */
export function parseStackConfig(
  text: string,
  project: string,
): { config: Record<string, unknown>; secretKeys: string[] } {
  const doc: unknown = parse(text);
  if (doc !== null && doc !== undefined && !isMapping(doc)) throw new Error("a stack file must be a mapping");
  const raw = isMapping(doc) ? doc.config : undefined;
  if (raw !== undefined && raw !== null && !isMapping(raw)) throw new Error('"config" must be a mapping');
  const config: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(raw ?? {})) {
    const key = k.includes(":") ? k : `${project}:${k}`;
    const { value, secret } = unsecure(v);
    config[key] = value;
    if (secret) secretKeys.push(key);
  }
  return { config, secretKeys };
}

/**
 * Loads Pulumi.yaml and Pulumi.<stack>.yaml from `dir`.
 *
 * @param optional  accept a missing stack file (no configuration beyond the project's defaults).
 * @throws Error naming the missing or malformed file.
 */
export function loadStackFiles(dir: string, stack: string, optional = false): StackFiles {
  const projectFile = join(dir, "Pulumi.yaml");
  if (!existsSync(projectFile)) throw new Error(`No Pulumi.yaml in ${dir}: is this a Pulumi project?`);
  let project: { name?: unknown; config?: unknown };
  try {
    project = (parse(readFileSync(projectFile, "utf8")) ?? {}) as typeof project;
  } catch (e) {
    throw new Error(`${projectFile}: ${(e as Error).message}`);
  }
  if (typeof project.name !== "string" || project.name === "") throw new Error(`${projectFile}: no "name".`);
  const name = project.name;
  const qualify = (key: string) => (key.includes(":") ? key : `${name}:${key}`);
  const config: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  const notes: string[] = [];
  const declared = new Map<string, DeclaredKey>();
  for (const [key, spec] of Object.entries(isMapping(project.config) ? project.config : {})) {
    const full = qualify(key);
    const decl: DeclaredKey = isMapping(spec) ? spec : { default: spec };
    declared.set(full, decl);
    const fallback = decl.default ?? decl.value;
    if (fallback !== undefined) config[full] = fallback;
  }
  const stackFile = join(dir, `Pulumi.${stack}.yaml`);
  const exists = existsSync(stackFile);
  if (!exists && !optional) {
    throw new Error(
      `No stack file ${stackFile}: create it with "pulumi stack init ${stack}", or pick --stack dev.`,
    );
  }
  if (exists) {
    let parsed;
    try {
      parsed = parseStackConfig(readFileSync(stackFile, "utf8"), name);
    } catch (e) {
      throw new Error(`${stackFile}: ${(e as Error).message}`);
    }
    Object.assign(config, parsed.config);
    for (const key of parsed.secretKeys) {
      secretKeys.push(key);
      notes.push(`${key} is encrypted in ${stackFile}; offline, a placeholder secret stands in.`);
    }
  }
  for (const [full, decl] of declared) {
    if (!decl.secret || secretKeys.includes(full)) continue;
    if (config[full] === undefined) {
      config[full] = OFFLINE_SECRET;
      notes.push(
        `${full} is a secret not set for stack "${stack}"; offline, a placeholder stands in ` +
          `(set it with pulumi config set --secret ${full.split(":")[1]} ... before pulumi up).`,
      );
    }
    secretKeys.push(full);
  }
  return {
    project: name,
    projectDir: dir,
    stack,
    stackFile: exists ? stackFile : undefined,
    config,
    secretKeys,
    notes,
  };
}
