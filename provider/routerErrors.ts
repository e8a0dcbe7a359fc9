/**
 * The exact messages of {@link EventRouter}'s own checks (the components it builds keep theirs):
 * one place that builds them, so that every message starts with the router and the field, and
 * tests compare against the same functions.
 */
import * as pulumi from "@pulumi/pulumi";

/** The fields that may hold outputs (typed `Input` in the schema), as paths with `*` for any index or key. */
export const INPUT_FIELDS = [
  "targets[*].lambda.existingArn",
  "targets[*].lambda.environment.*",
  "targets[*].stateMachine.definition",
  "targets[*].stateMachine.existingArn",
  "targets[*].webhook.auth.secret",
];

/** Every message the router itself raises. */
export const routerErrors = {
  notPlain: (owner: string, path: string): string =>
    `${owner}: "${path}" must be plain data known when the program runs, but it is an output (another ` +
    `resource's value, an unknown, or a secret inside a field that takes none). Outputs are accepted only in ` +
    `${INPUT_FIELDS.map((f) => f.replace("[*]", "[]")).join(", ")}.`,
  notList: (owner: string, field: string, example: string): string =>
    `${owner}: "${field}" must be a list, for example ${example}.`,
  targetName: (owner: string, index: number, value: unknown): string =>
    `${owner}: targets[${index}] has name ${JSON.stringify(value) ?? "undefined"}; give each target a name of ` +
    `letters, digits, "." , "_" or "-" (at most 40), unique in the router.`,
  duplicateTarget: (owner: string, name: string): string =>
    `${owner}: two targets are named "${name}". Give each target a unique name.`,
  unknownKind: (owner: string, target: string, kind: unknown): string =>
    `${owner}, target "${target}": kind ${JSON.stringify(kind) ?? "undefined"} is not one of lambda, queue, ` +
    `topic, stateMachine, webhook.`,
  foreignSettings: (owner: string, target: string, kind: string, others: string[]): string =>
    `${owner}, target "${target}": kind is "${kind}", but ${others.map((o) => `"${o}"`).join(", ")} settings ` +
    `were given. Give only "${kind}" settings, or change the kind.`,
  missingSettings: (owner: string, target: string, kind: string, what: string): string =>
    `${owner}, target "${target}": a "${kind}" target needs "${kind}" settings (${what}).`,
  unknownTarget: (owner: string, where: string, field: string, value: unknown, names: string[]): string =>
    `${owner}, ${where}: "${field}" names ${JSON.stringify(value) ?? "undefined"}, which is not a target of ` +
    `this router (${names.map((n) => `"${n}"`).join(", ") || "none declared"}). Name one of "targets".`,
  wrongKind: (
    owner: string,
    where: string,
    field: string,
    value: string,
    kind: string,
    wanted: string,
  ): string =>
    `${owner}, ${where}: "${field}" names "${value}", a ${kind} target; it must name a ${wanted} target.`,
  queuePair: (owner: string, target: string): string =>
    `${owner}, target "${target}": give "queue.existingArn" and "queue.existingUrl" together to adopt a queue.`,
  authField: (owner: string, target: string, type: string, field: string): string =>
    `${owner}, target "${target}": webhook auth type "${type}" needs "webhook.auth.${field}".`,
  subscriptionField: (
    owner: string,
    target: string,
    index: number,
    protocol: string,
    field: string,
  ): string => `${owner}, target "${target}": subscription ${index + 1} (${protocol}) needs "${field}".`,
};

/** A field path matches an input pattern (`*` for any index or map key). */
function isInputField(path: string): boolean {
  return INPUT_FIELDS.some((pattern) => {
    const re = new RegExp(
      "^" +
        pattern
          .split("*")
          .map((part) => part.replace(/[.[\]]/g, (c) => `\\${c}`))
          .join("[^.\\]]+") +
        "$",
    );
    return re.test(path);
  });
}

/**
 * Refuses an output or unknown anywhere but in the fields typed `Input`: a route, a target's kind
 * or a name decides which resources exist, so it must be known when the program runs.
 *
 * @throws Error naming the router and the first field at fault.
 */
export function assertPlainData(owner: string, value: unknown, path: string): void {
  if (pulumi.Output.isInstance(value) || pulumi.isUnknown(value) || value instanceof Promise) {
    if (!isInputField(path)) throw new Error(routerErrors.notPlain(owner, path));
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertPlainData(owner, v, `${path}[${i}]`));
  } else if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) assertPlainData(owner, v, path ? `${path}.${k}` : k);
  }
}
