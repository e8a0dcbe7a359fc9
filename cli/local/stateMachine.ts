/**
 * A Step Functions execution, run state by state: the subset of Amazon States Language that the
 * ready workflow (components/stateMachineTarget.ts) and simple definitions use — Task, Choice,
 * Pass, Succeed, Fail, Wait (not waited); Parameters, ResultSelector, ResultPath, InputPath,
 * OutputPath; Retry (no back-off delay) and Catch; the intrinsics States.Format,
 * States.JsonToString, States.StringToJson and States.UUID; Task resources for the AWS SDK
 * integration, `lambda:invoke` and `dynamodb:putItem`, answered by the services given. Anything
 * else fails the execution with a message saying it is not simulated locally.
 */
import { randomUUID } from "node:crypto";
import { readPath } from "../../model/inputTransformer";

/** What the tasks call. */
export interface StateMachineServices {
  /** `arn:aws:states:::aws-sdk:<service>:<action>`: the call's result, as the SDK returns it. */
  awsSdk(service: string, action: string, parameters: Record<string, unknown>): Promise<unknown>;
  /** `arn:aws:states:::lambda:invoke`: what the function returned. */
  invokeFunction(functionName: string, payload: unknown): Promise<unknown>;
  /** `arn:aws:states:::dynamodb:putItem`. */
  putItem(tableName: string, item: Record<string, unknown>): Promise<void>;
}

/** One state entered. */
export interface StateStep {
  /** The state's name. */
  name: string;
  /** Its type. */
  type: string;
  /** What happened, in a few words. */
  note: string;
}

/** How an execution ended. */
export interface ExecutionResult {
  /** The execution's ARN. */
  executionArn: string;
  /** `SUCCEEDED` or `FAILED`. */
  status: "SUCCEEDED" | "FAILED";
  /** The states entered, in order. */
  steps: StateStep[];
  /** The output, when it succeeded. */
  output?: unknown;
  /** The error, when it failed. */
  error?: { Error: string; Cause: string };
}

/** An error as Step Functions names it (`States.TaskFailed`, `S3.NoSuchKeyException`, ...). */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
    this.name = error;
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** Reads `$`, `$.a.b` from a value; `$$.x` from the context object. */
function read(path: string, input: unknown, context: Json): unknown {
  if (path.startsWith("$$")) return readPath(context, path.slice(1));
  if (/[[\]*]/.test(path)) {
    throw new StatesError(
      "States.Runtime",
      `JSONPath "${path}" is not supported locally (only $.a.b paths).`,
    );
  }
  const value = readPath(input, path);
  if (value === undefined) {
    throw new StatesError("States.Runtime", `The JSONPath "${path}" could not be found in the input.`);
  }
  return value;
}

/** Splits an intrinsic's arguments at top-level commas, keeping quoted strings whole. */
function splitArguments(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && quoted) {
      current += c + (text[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === "'") quoted = !quoted;
    if (!quoted && c === "(") depth++;
    if (!quoted && c === ")") depth--;
    if (c === "," && !quoted && depth === 0) {
      out.push(current.trim());
      current = "";
      continue;
    }
    current += c;
  }
  if (current.trim() !== "") out.push(current.trim());
  return out;
}

function evaluate(expression: string, input: unknown, context: Json): unknown {
  const intrinsic = /^(States\.[A-Za-z]+)\((.*)\)$/s.exec(expression.trim());
  if (!intrinsic) return read(expression, input, context);
  const [, name, argText] = intrinsic;
  const args = splitArguments(argText).map((a) => {
    if (a.startsWith("'")) return a.slice(1, -1).replace(/\\(.)/g, "$1");
    if (a.startsWith("$") || a.startsWith("States.")) return evaluate(a, input, context);
    if (/^-?\d+(\.\d+)?$/.test(a)) return Number(a);
    if (a === "true" || a === "false") return a === "true";
    if (a === "null") return null;
    throw new StatesError("States.Runtime", `Cannot read argument ${a} of ${name}.`);
  });
  switch (name) {
    case "States.Format": {
      const [template, ...values] = args;
      let i = 0;
      return String(template).replace(/\{\}/g, () => {
        const v = values[i++];
        return typeof v === "string" ? v : JSON.stringify(v);
      });
    }
    case "States.JsonToString":
      return JSON.stringify(args[0]);
    case "States.StringToJson":
      return JSON.parse(String(args[0]));
    case "States.UUID":
      return randomUUID();
    default:
      throw new StatesError("States.Runtime", `The intrinsic function ${name} is not simulated locally.`);
  }
}

/** Applies a Parameters / ResultSelector template: `"key.$"` fields are evaluated. */
function applyTemplate(template: unknown, input: unknown, context: Json): unknown {
  if (Array.isArray(template)) return template.map((t) => applyTemplate(t, input, context));
  if (!isObject(template)) return template;
  const out: Json = {};
  for (const [k, v] of Object.entries(template)) {
    if (k.endsWith(".$")) out[k.slice(0, -2)] = evaluate(String(v), input, context);
    else out[k] = applyTemplate(v, input, context);
  }
  return out;
}

/** Writes `value` at `path` (`$` replaces; null discards) into a copy of `input`. */
function applyResultPath(input: unknown, path: string | null | undefined, value: unknown): unknown {
  if (path === null) return input;
  if (path === undefined || path === "$") return value;
  if (!path.startsWith("$.") || /[[\]*]/.test(path)) {
    throw new StatesError("States.Runtime", `ResultPath "${path}" is not supported locally (only $.a.b).`);
  }
  const root: Json = isObject(input) ? structuredClone(input) : {};
  const parts = path.slice(2).split(".");
  let node = root;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(node[part])) node[part] = {};
    node = node[part] as Json;
  }
  node[parts[parts.length - 1]] = value;
  return root;
}

function selectPath(value: unknown, path: unknown, context: Json): unknown {
  if (path === undefined || path === "$") return value;
  if (path === null) return {};
  return read(String(path), value, context);
}

function matchesWildcard(pattern: string, value: string): boolean {
  const source = pattern
    .split(/(?<!\\)\*/)
    .map((p) => p.replace(/\\\*/g, "*").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "s").test(value);
}

/** Whether a Choice rule matches. */
function choiceMatches(rule: Json, input: unknown, context: Json): boolean {
  if (Array.isArray(rule.And)) return (rule.And as Json[]).every((r) => choiceMatches(r, input, context));
  if (Array.isArray(rule.Or)) return (rule.Or as Json[]).some((r) => choiceMatches(r, input, context));
  if (isObject(rule.Not)) return !choiceMatches(rule.Not, input, context);
  const variable = String(rule.Variable);
  const value = variable.startsWith("$$") ? readPath(context, variable.slice(1)) : readPath(input, variable);
  for (const [op, expected] of Object.entries(rule)) {
    if (op === "Variable" || op === "Next") continue;
    switch (op) {
      case "IsPresent":
        return (value !== undefined) === expected;
      case "IsNull":
        return (value === null) === expected;
      case "IsString":
        return (typeof value === "string") === expected;
      case "IsNumeric":
        return (typeof value === "number") === expected;
      case "IsBoolean":
        return (typeof value === "boolean") === expected;
    }
    if (value === undefined) {
      throw new StatesError(
        "States.Runtime",
        `Invalid path "${variable}": the choice state's input has no such field.`,
      );
    }
    switch (op) {
      case "StringEquals":
        return value === expected;
      case "StringMatches":
        return typeof value === "string" && matchesWildcard(String(expected), value);
      case "NumericEquals":
        return value === expected;
      case "NumericLessThan":
        return typeof value === "number" && value < Number(expected);
      case "NumericLessThanEquals":
        return typeof value === "number" && value <= Number(expected);
      case "NumericGreaterThan":
        return typeof value === "number" && value > Number(expected);
      case "NumericGreaterThanEquals":
        return typeof value === "number" && value >= Number(expected);
      case "BooleanEquals":
        return value === expected;
      default:
        throw new StatesError("States.Runtime", `The choice comparison ${op} is not simulated locally.`);
    }
  }
  throw new StatesError("States.Runtime", `A choice rule on ${variable} has no comparison.`);
}

const errorMatches = (names: unknown, error: string): boolean =>
  Array.isArray(names) &&
  (names.includes(error) || (names.includes("States.ALL") && error !== "States.Runtime"));

/** Turns what a task threw into Step Functions' error: `S3.NoSuchKeyException`, `States.TaskFailed`, ... */
function statesError(thrown: unknown, service?: string): StatesError {
  if (thrown instanceof StatesError) return thrown;
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  if (service) {
    const name = error.name.endsWith("Exception") ? error.name : `${error.name}Exception`;
    return new StatesError(`${service}.${name}`, error.message);
  }
  return new StatesError(
    error.name || "Error",
    JSON.stringify({ errorMessage: error.message, errorType: error.name }),
  );
}

/** Turns what an AWS SDK call returned into what Step Functions hands on (dates as strings, no $metadata). */
function sdkResult(result: unknown): unknown {
  if (!isObject(result)) return result;
  const { $metadata: _metadata, ...rest } = result;
  const text = JSON.stringify(rest, (_key, value: unknown) =>
    value instanceof Date ? value.toISOString() : value,
  );
  return JSON.parse(text) as unknown;
}

const describe = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text === undefined ? "nothing" : text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

async function runTask(
  state: Json,
  parameters: unknown,
  services: StateMachineServices,
): Promise<{ result: unknown; note: string }> {
  const resource = String(state.Resource);
  const sdk = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(resource);
  if (sdk) {
    const [, service, action] = sdk;
    try {
      const result = sdkResult(await services.awsSdk(service, action, (parameters ?? {}) as Json));
      return { result, note: `${service}:${action} → ${describe(result)}` };
    } catch (e) {
      throw statesError(
        e,
        service.toUpperCase() === "S3" ? "S3" : service[0].toUpperCase() + service.slice(1),
      );
    }
  }
  const params = (isObject(parameters) ? parameters : {}) as Json;
  if (resource === "arn:aws:states:::lambda:invoke") {
    const functionName = String(params.FunctionName);
    try {
      const payload = await services.invokeFunction(functionName, params.Payload);
      return {
        result: { ExecutedVersion: "$LATEST", Payload: payload, StatusCode: 200 },
        note: `lambda:invoke ${functionName.split(":").pop()} → ${describe(payload)}`,
      };
    } catch (e) {
      throw statesError(e);
    }
  }
  if (resource === "arn:aws:states:::dynamodb:putItem") {
    const table = String(params.TableName);
    await services.putItem(table, (params.Item ?? {}) as Json);
    return { result: {}, note: `dynamodb:putItem into ${table} → ${describe(params.Item)}` };
  }
  throw new StatesError("States.Runtime", `The task resource ${resource} is not simulated locally.`);
}

/**
 * Runs one execution of `definition` with `input`.
 *
 * @param stateMachineArn - the machine's ARN (for the execution ARN and `$$`).
 * @param definition - its Amazon States Language definition.
 * @param input - the execution input.
 * @param services - what tasks call.
 * @param onStep - called as each state completes.
 */
export async function runExecution(
  stateMachineArn: string,
  definition: Json,
  input: unknown,
  services: StateMachineServices,
  onStep?: (step: StateStep) => void,
): Promise<ExecutionResult> {
  const name = randomUUID();
  const executionArn = `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
  const states = (definition.States ?? {}) as Record<string, Json>;
  const context: Json = {
    Execution: { Id: executionArn, Name: name, Input: input, StartTime: new Date().toISOString() },
    StateMachine: { Id: stateMachineArn },
  };
  const steps: StateStep[] = [];
  const step = (s: StateStep) => {
    steps.push(s);
    onStep?.(s);
  };
  let current = String(definition.StartAt);
  let data: unknown = input;
  for (let transitions = 0; transitions < 1000; transitions++) {
    const state = states[current];
    if (!state) {
      return fail(`States.Runtime`, `The state "${current}" does not exist.`);
    }
    context.State = { Name: current, EnteredTime: new Date().toISOString() };
    const type = String(state.Type);
    try {
      const effective = selectPath(data, state.InputPath, context);
      let output: unknown;
      let note = "";
      let next = state.Next as string | undefined;
      switch (type) {
        case "Pass": {
          const result =
            state.Result !== undefined
              ? state.Result
              : state.Parameters !== undefined
                ? applyTemplate(state.Parameters, effective, context)
                : effective;
          output = applyResultPath(data, state.ResultPath as string | null | undefined, result);
          note = "passed";
          break;
        }
        case "Wait":
          output = effective;
          note = "not waited locally";
          break;
        case "Succeed":
          output = effective;
          note = "succeeded";
          break;
        case "Fail":
          step({ name: current, type, note: `failed: ${String(state.Error)}` });
          return fail(String(state.Error ?? "States.Fail"), String(state.Cause ?? ""));
        case "Choice": {
          const choices = (state.Choices ?? []) as Json[];
          const matched = choices.find((c) => choiceMatches(c, effective, context));
          next = (matched?.Next as string | undefined) ?? (state.Default as string | undefined);
          if (!next)
            throw new StatesError(
              "States.NoChoiceMatched",
              "No choice rule matched and there is no Default.",
            );
          output = effective;
          note = matched ? `→ ${next}` : `no rule matched → ${next} (Default)`;
          break;
        }
        case "Task": {
          const parameters =
            state.Parameters !== undefined ? applyTemplate(state.Parameters, effective, context) : effective;
          const retriers = (state.Retry ?? []) as Json[];
          const attempts = new Map<Json, number>();
          let outcome: { result: unknown; note: string } | undefined;
          for (;;) {
            try {
              outcome = await runTask(state, parameters, services);
              break;
            } catch (e) {
              const err = statesError(e);
              const retrier = retriers.find((r) => errorMatches(r.ErrorEquals, err.error));
              const used = retrier ? (attempts.get(retrier) ?? 0) : 0;
              if (!retrier || used >= Number(retrier.MaxAttempts ?? 3)) throw err;
              attempts.set(retrier, used + 1);
              step({
                name: current,
                type,
                note: `${err.error}; retried (attempt ${used + 2}, no back-off locally)`,
              });
            }
          }
          const selected =
            state.ResultSelector !== undefined
              ? applyTemplate(state.ResultSelector, outcome.result, context)
              : outcome.result;
          output = applyResultPath(data, state.ResultPath as string | null | undefined, selected);
          note = outcome.note;
          break;
        }
        default:
          throw new StatesError("States.Runtime", `The state type ${type} is not simulated locally.`);
      }
      const shaped = selectPath(output, state.OutputPath, context);
      step({ name: current, type, note });
      if (type === "Succeed" || state.End === true) {
        return { executionArn, status: "SUCCEEDED", steps, output: shaped };
      }
      if (!next) return fail("States.Runtime", `The state "${current}" has neither Next nor End.`);
      data = shaped;
      current = next;
    } catch (e) {
      const err = statesError(e);
      const catcher = ((state.Catch ?? []) as Json[]).find((c) => errorMatches(c.ErrorEquals, err.error));
      if (!catcher) {
        step({ name: current, type, note: `failed: ${err.error}` });
        return fail(err.error, err.cause);
      }
      step({ name: current, type, note: `${err.error} caught → ${String(catcher.Next)}` });
      data = applyResultPath(data, catcher.ResultPath as string | null | undefined, {
        Error: err.error,
        Cause: err.cause,
      });
      current = String(catcher.Next);
    }
  }
  return fail("States.Runtime", "More than 1000 state transitions: a loop?");

  function fail(error: string, cause: string): ExecutionResult {
    return { executionArn, status: "FAILED", steps, error: { Error: error, Cause: cause } };
  }
}
