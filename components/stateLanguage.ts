/**
 * Amazon States Language checks, shared by StateMachineTarget and the policy pack: a definition
 * must be a JSON object that `asl-validator` (a maintained validator of the ASL specification:
 * schema of every state type, JSONPath and JSONata fields, `StartAt`/`Next`/`Default` targets that
 * exist, states that are reachable, a terminal state) accepts. Step Functions refuses anything else
 * at deploy time ("InvalidDefinition").
 *
 * Pure: no Pulumi or AWS import.
 */

interface AslResult {
  isValid: boolean;
  errors: { "Error code"?: string; Message?: string }[];
}
type AslValidator = (definition: unknown) => AslResult;

let validator: AslValidator | undefined;

/** The validator, loaded on first use (it compiles JSON schemas: no cost for programs without a definition). */
function aslValidator(): AslValidator {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  validator ??= require("asl-validator") as AslValidator;
  return validator;
}

/**
 * What is wrong with a state machine definition (an object, or its JSON text), one sentence
 * fragment each; empty when Step Functions would accept it.
 */
export function definitionProblems(definition: unknown): string[] {
  let parsed: unknown = definition;
  if (typeof definition === "string") {
    try {
      parsed = JSON.parse(definition);
    } catch (e) {
      return [`it is not valid JSON (${(e as Error).message})`];
    }
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return [
      `it is not a JSON object (got ${parsed === null ? "null" : Array.isArray(parsed) ? "an array" : typeof parsed})`,
    ];
  }
  let result: AslResult;
  try {
    result = aslValidator()(parsed);
  } catch (e) {
    return [`it could not be validated (${(e as Error).message})`];
  }
  if (result.isValid) return [];
  return [...new Set(result.errors.map((e) => (e.Message ?? e["Error code"] ?? "invalid").trim()))];
}
