/**
 * Which inputs are secret, and how a policy learns it.
 *
 * @pulumi/policy 1.21 deserializes the properties it hands to `validateResource` with secrets
 * unwrapped (`deserializeProperties(props, false)`), so under CrossGuard a validation cannot tell a
 * secret from plain text. Only `remediateResource` receives secret values as `Secret` instances. The
 * offline checker records secretness itself (`RecordedResource.secretInputs`) and passes the secret
 * input paths to validations as {@link SecretAwareArgs.secretInputPaths}.
 */
import { ResourceValidationArgs } from "@pulumi/policy";

/** What the offline checker adds to `ResourceValidationArgs`. */
export interface SecretAwareArgs {
  /** Paths of the inputs that are secret, e.g. `authParameters.apiKey.value` or `a.list[0].value`. */
  secretInputPaths?: readonly string[];
}

/** The secret input paths, when the runtime exposes them (the offline checker); undefined under CrossGuard. */
export function secretInputPaths(args: ResourceValidationArgs): readonly string[] | undefined {
  const paths = (args as ResourceValidationArgs & SecretAwareArgs).secretInputPaths;
  return Array.isArray(paths) ? paths : undefined;
}

/** True when `path` is secret: listed itself, or inside a secret object or list. */
export function isSecretPath(path: string, secretPaths: readonly string[]): boolean {
  return secretPaths.some(
    (s) => s === "" || s === path || path.startsWith(`${s}.`) || path.startsWith(`${s}[`),
  );
}

/** Splits `a.b[0].c` into `["a", "b", 0, "c"]`. */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split(".")) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1] !== "") out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}
