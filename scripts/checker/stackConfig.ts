/**
 * A Pulumi project's name and a stack's configuration, read from `Pulumi.yaml` and
 * `Pulumi.<stack>.yaml` the way the Pulumi CLI hands them to a program.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseYaml, YamlValue } from "./yaml";

/** What stands in for a `secure:` value: without the Pulumi CLI it cannot be decrypted. */
export const SECRET_PLACEHOLDER = "checker-secret-placeholder";

/** A stack's configuration, ready for `installMockEngine`. */
export interface StackConfig {
  /** The project name (`name:` of `Pulumi.yaml`). */
  project: string;
  /** The project directory (where `Pulumi.yaml` is). */
  projectDir: string;
  /** The stack file read, or undefined when it does not exist. */
  stackFile?: string;
  /** `"<namespace>:<key>"` → value; a key without namespace gets the project's. */
  config: Record<string, YamlValue>;
  /** The keys whose values were (or held) `secure:` values, replaced by {@link SECRET_PLACEHOLDER}. */
  secretKeys: string[];
}

/** The nearest directory at or above `from` that holds a `Pulumi.yaml`, or undefined. */
export function findProjectDir(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function isObject(v: YamlValue | undefined): v is { [key: string]: YamlValue } {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Replaces `{ secure: ... }` values by the placeholder; true when it found one. */
function unsecure(v: YamlValue): { value: YamlValue; secret: boolean } {
  if (isObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "secure") return { value: SECRET_PLACEHOLDER, secret: true };
    let secret = false;
    const out: { [key: string]: YamlValue } = {};
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

/** The `config:` map of a stack file's text, namespaced, with secure values replaced. */
export function parseStackConfig(
  text: string,
  project: string,
): { config: Record<string, YamlValue>; secretKeys: string[] } {
  const doc = parseYaml(text);
  if (doc !== null && !isObject(doc)) throw new Error("a stack file must be a mapping");
  const raw = isObject(doc) ? doc.config : undefined;
  if (raw !== undefined && raw !== null && !isObject(raw)) throw new Error('"config" must be a mapping');
  const config: Record<string, YamlValue> = {};
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
 * Reads the project around `programPath` and the configuration of `stack`. A missing stack file
 * gives an empty configuration and no `stackFile`.
 *
 * @throws Error naming the file when `Pulumi.yaml` is missing or a file cannot be parsed.
 */
export function readStackConfig(programPath: string, stack: string): StackConfig {
  const projectDir = findProjectDir(path.dirname(path.resolve(programPath)));
  if (!projectDir) {
    throw new Error(`no Pulumi.yaml in ${path.dirname(path.resolve(programPath))} or any directory above it`);
  }
  const projectFile = path.join(projectDir, "Pulumi.yaml");
  let project: string;
  try {
    const doc = parseYaml(fs.readFileSync(projectFile, "utf8"));
    const name = isObject(doc) ? doc.name : undefined;
    if (typeof name !== "string" || name === "") throw new Error('no "name"');
    project = name;
  } catch (e) {
    throw new Error(`${projectFile}: ${(e as Error).message}`);
  }
  const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) return { project, projectDir, config: {}, secretKeys: [] };
  try {
    return {
      project,
      projectDir,
      stackFile,
      ...parseStackConfig(fs.readFileSync(stackFile, "utf8"), project),
    };
  } catch (e) {
    throw new Error(`${stackFile}: ${(e as Error).message}`);
  }
}
