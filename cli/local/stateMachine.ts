/**
 * A Step Functions execution, run by `aws-local-stepfunctions` (a maintained Amazon States Language
 * interpreter: every state type, paths, templates, the intrinsics, Retry and Catch with their error
 * matching). What is local is the glue: each Task state's resource is answered by the services
 * given (the loop's own S3, Lambda, SNS, SQS and DynamoDB), Wait states and retry intervals are not
 * waited, and the interpreter's event log becomes the steps the loop prints and reports.
 *
 * Task resources answered: `arn:aws:states:::aws-sdk:<service>:<action>`, `lambda:invoke` and a
 * function ARN, `sns:publish`, `sqs:sendMessage`, `dynamodb:putItem`. Anything else (another
 * integration, `.sync` and `.waitForTaskToken` patterns, JSONata definitions, distributed Map) fails
 * the execution with `States.Runtime` saying it is not simulated locally, and so does a definition
 * asl-validator refuses. The interpreter gives a Task without `TimeoutSeconds` 60 s (AWS: none).
 */
import { randomUUID } from "node:crypto";
import { ExecutionTimeoutError, StateMachine, StateMachineDefinition } from "aws-local-stepfunctions";
import { definitionProblems } from "../../components/stateLanguage";

/** What the tasks call. */
export interface StateMachineServices {
  /** `arn:aws:states:::aws-sdk:<service>:<action>`: the call's result, as the SDK returns it. */
  awsSdk(service: string, action: string, parameters: Record<string, unknown>): Promise<unknown>;
  /** `arn:aws:states:::lambda:invoke` (or the function's ARN): what the function returned. */
  invokeFunction(functionName: string, payload: unknown): Promise<unknown>;
  /** `arn:aws:states:::dynamodb:putItem`. */
  putItem(tableName: string, item: Record<string, unknown>): Promise<void>;
  /** `arn:aws:states:::sns:publish`: the message's id. */
  publish(topicArn: string, message: string, subject?: string): Promise<string>;
  /** `arn:aws:states:::sqs:sendMessage`: the message's id. */
  sendMessage(queueUrl: string, body: string): Promise<string>;
}

/** One state completed (or retried, caught, failed). */
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
  /** `SUCCEEDED`, `FAILED`, or `TIMED_OUT` (the definition's `TimeoutSeconds`). */
  status: "SUCCEEDED" | "FAILED" | "TIMED_OUT";
  /** The states completed, in order. */
  steps: StateStep[];
  /** The output, when it succeeded. */
  output?: unknown;
  /** The error, when it failed. */
  error?: { Error: string; Cause: string };
}

/** An error as Step Functions names it (`States.TaskFailed`, `S3.NoSuchKeyException`, ...). */
export class StatesError extends Error {
  /** False for `States.Runtime`: Step Functions neither retries nor catches it. */
  readonly isRetryable: boolean;
  /** False for `States.Runtime`. */
  readonly isCatchable: boolean;

  constructor(
    readonly error: string,
    readonly cause: string,
  ) {
    super(cause);
    this.name = error;
    this.isRetryable = this.isCatchable = error !== "States.Runtime";
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** Every state of a definition, those inside Map and Parallel states included (names are unique). */
function allStates(definition: Json): [string, Json][] {
  const states = Object.entries(isObject(definition.States) ? definition.States : {}) as [string, Json][];
  return states.flatMap(([name, state]) => {
    const nested = [
      state.ItemProcessor,
      state.Iterator,
      ...(Array.isArray(state.Branches) ? state.Branches : []),
    ];
    return [[name, state] as [string, Json], ...nested.filter(isObject).flatMap(allStates)];
  });
}

/** A task's failure as Step Functions reports it: the service's exception, or the function's error. */
function taskError(thrown: unknown, service?: string): StatesError {
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

/** What an AWS SDK call returned, as Step Functions hands it on (dates as strings, no $metadata). */
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

/** A JSON value as a message body: strings as they are, anything else serialized (as Step Functions does). */
const messageText = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

/** Calls a service integration; its failure named as Step Functions names it (`SNS.NotFoundException`). */
async function service<T>(name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw taskError(e, name);
  }
}

/** Runs one Task state's resource against the services: its result, and a note for the step. */
async function runTask(
  resource: string,
  parameters: unknown,
  services: StateMachineServices,
): Promise<{ result: unknown; note: string }> {
  const params = isObject(parameters) ? parameters : {};
  const sdk = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(resource);
  if (sdk) {
    const [, name, action] = sdk;
    const prefix = name === "s3" ? "S3" : name[0].toUpperCase() + name.slice(1);
    const result = sdkResult(await service(prefix, () => services.awsSdk(name, action, params)));
    return { result, note: `${name}:${action} → ${describe(result)}` };
  }
  const functionArn = /^arn:aws:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(resource);
  if (resource === "arn:aws:states:::lambda:invoke" || functionArn) {
    const functionName = functionArn ? resource : String(params.FunctionName);
    let payload: unknown;
    try {
      payload = await services.invokeFunction(functionName, functionArn ? parameters : params.Payload);
    } catch (e) {
      throw taskError(e);
    }
    const note = `lambda:invoke ${functionName.split(":").pop()} → ${describe(payload)}`;
    // A function ARN as the resource hands on the payload itself; the integration wraps it.
    const result = functionArn ? payload : { ExecutedVersion: "$LATEST", Payload: payload, StatusCode: 200 };
    return { result, note };
  }
  if (resource === "arn:aws:states:::dynamodb:putItem") {
    const table = String(params.TableName);
    await service("DynamoDB", () => services.putItem(table, isObject(params.Item) ? params.Item : {}));
    return { result: {}, note: `dynamodb:putItem into ${table} → ${describe(params.Item)}` };
  }
  if (resource === "arn:aws:states:::sns:publish") {
    const topicArn = String(params.TopicArn);
    const subject = typeof params.Subject === "string" ? params.Subject : undefined;
    const id = await service("SNS", () => services.publish(topicArn, messageText(params.Message), subject));
    return { result: { MessageId: id }, note: `sns:publish to ${topicArn.split(":").pop()} → ${id}` };
  }
  if (resource === "arn:aws:states:::sqs:sendMessage") {
    const queueUrl = String(params.QueueUrl);
    const id = await service("SQS", () => services.sendMessage(queueUrl, messageText(params.MessageBody)));
    return { result: { MessageId: id }, note: `sqs:sendMessage to ${queueUrl.split("/").pop()} → ${id}` };
  }
  throw new StatesError("States.Runtime", `The task resource ${resource} is not simulated locally.`);
}

/** Why a definition cannot run locally, if it cannot. */
function notRunnable(definition: Json, states: [string, Json][]): string | undefined {
  if (definition.QueryLanguage === "JSONata" || states.some(([, s]) => s.QueryLanguage === "JSONata")) {
    return "JSONata definitions are not simulated locally (aws-local-stepfunctions runs JSONPath).";
  }
  const distributed = states.find(([, s]) => isObject(s.ItemReader) || isObject(s.ItemBatcher));
  if (distributed) return `The distributed Map state "${distributed[0]}" is not simulated locally.`;
  return undefined;
}

/** What is wrong with each definition run so far (validating one takes about a second). */
const checkedDefinitions = new WeakMap<Json, string[]>();

/**
 * Runs one execution of `definition` with `input`.
 *
 * @param stateMachineArn - the machine's ARN (for the execution ARN and `$$`).
 * @param definition - its Amazon States Language definition.
 * @param input - the execution input.
 * @param services - what tasks call.
 * @param onStep - called as each state completes (or is retried, caught, or fails).
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
  const steps: StateStep[] = [];
  const step = (s: StateStep) => {
    steps.push(s);
    onStep?.(s);
  };
  const fail = (error: string, cause: string): ExecutionResult => ({
    executionArn,
    status: "FAILED",
    steps,
    error: { Error: error, Cause: cause },
  });
  if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== "function") {
    return fail(
      "States.Runtime",
      `Workflows run locally with aws-local-stepfunctions, which needs Node.js 22 or later (this is ${process.version}).`,
    );
  }
  const states = allStates(definition);
  const unsupported = notRunnable(definition, states);
  if (unsupported) return fail("States.Runtime", unsupported);

  const stateOf = new Map(states);
  // Each Task's notes, in completion order per state (the iterations of a Map run at once).
  const taskNotes = new Map<string, string[]>();
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [stateName, state] of states) {
    if (state.Type !== "Task") continue;
    handlers[stateName] = async (parameters) => {
      const { result, note } = await runTask(String(state.Resource), parameters, services);
      taskNotes.set(stateName, [...(taskNotes.get(stateName) ?? []), note]);
      return result;
    };
  }
  const immediately = (type: string) =>
    Object.fromEntries(
      states
        .filter(([, s]) => s.Type === type || (type === "Retry" && Array.isArray(s.Retry)))
        .map(([n]) => [n, 0]),
    );

  const problems = checkedDefinitions.get(definition) ?? definitionProblems(definition);
  checkedDefinitions.set(definition, problems);
  if (problems.length > 0)
    return fail("States.Runtime", `The definition is not valid: ${problems.join("; ")}.`);
  // Validated with asl-validator 4, as StateMachineTarget and the policy pack do, once per definition
  // (a check takes about a second); the library's own check (asl-validator 3) would run every time.
  const machine = new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      waitTimeOverrides: immediately("Wait"),
      retryIntervalOverrides: immediately("Retry"),
    },
    context: {
      Execution: { Id: executionArn, Name: name, Input: input as never, StartTime: new Date().toISOString() },
      StateMachine: { Id: stateMachineArn, Name: stateMachineArn.split(":").pop() },
    },
  });
  const history = followHistory(execution.eventLogs, stateOf, taskNotes, step);
  try {
    const output = await execution.result;
    await history;
    return { executionArn, status: "SUCCEEDED", steps, output };
  } catch (e) {
    await history;
    if (e instanceof ExecutionTimeoutError) {
      return { ...fail("States.Timeout", "The execution ran past its TimeoutSeconds."), status: "TIMED_OUT" };
    }
    const cause = (e as Error).cause;
    const error = cause instanceof Error ? cause : (e as Error);
    return fail(error.name, error.message);
  }
}

type EventLog = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

/** Turns the interpreter's event log into steps: one per state completed, retried, caught or failed. */
async function followHistory(
  events: AsyncGenerator<EventLog>,
  stateOf: Map<string, Json>,
  taskNotes: Map<string, string[]>,
  step: (s: StateStep) => void,
): Promise<void> {
  const failures = new Map<string, { step: StateStep; error: string }>(); // not (yet) retried or caught
  const choices = new Map<string, StateStep>(); // a Choice made, waiting for the state it chose
  const caught = new Set<string>();
  const iterations = new Map<string, number>();
  const flushFailures = () => {
    for (const f of failures.values()) step(f.step);
    failures.clear();
  };
  for await (const event of events) {
    if (event.type === "MapIterationStarted") {
      const map = event.parentState.name;
      iterations.set(map, (iterations.get(map) ?? 0) + 1);
    }
    if (!("state" in event)) {
      if (event.type.endsWith("Failed")) flushFailures();
      continue;
    }
    const { name, type } = event.state;
    const iteration = `#${event.index ?? ""}`;
    const key = `${name}${iteration}`;
    const at = event.index !== undefined ? `[${event.index}] ` : "";
    switch (event.type) {
      case "StateEntered":
        for (const [choiceKey, choice] of choices) {
          const rules = (stateOf.get(choice.name)?.Choices ?? []) as Json[];
          const byRule = rules.some((r) => r.Next === name);
          if (!choiceKey.endsWith(iteration) || (!byRule && stateOf.get(choice.name)?.Default !== name))
            continue;
          step({
            ...choice,
            note: `${choice.note}${byRule ? `→ ${name}` : `no rule matched → ${name} (Default)`}`,
          });
          choices.delete(choiceKey);
          break;
        }
        break;
      case "StateFailed":
        failures.set(key, { step: { name, type, note: `${at}failed: ${event.Error}` }, error: event.Error });
        break;
      case "StateRetried": {
        const error = failures.get(key)?.error;
        failures.delete(key);
        step({
          name,
          type,
          note: `${at}${error}; retried (attempt ${event.retry.attempt + 1}, no back-off locally)`,
        });
        break;
      }
      case "StateCaught": {
        const error = failures.get(key)?.error;
        failures.delete(key);
        caught.add(key);
        step({ name, type, note: `${at}${error} caught → ${event.catch.catcher.Next}` });
        break;
      }
      case "StateExited":
        if (caught.delete(key)) break; // its step was the catch
        if (type === "Choice") choices.set(key, { name, type, note: at });
        else
          step({
            name,
            type,
            note: `${at}${exitNote(type, name, taskNotes, iterations, stateOf.get(name))}`,
          });
        break;
    }
  }
  flushFailures();
}

/** What a state that completed did. */
function exitNote(
  type: string,
  name: string,
  taskNotes: Map<string, string[]>,
  iterations: Map<string, number>,
  state: Json | undefined,
): string {
  switch (type) {
    case "Task":
      return taskNotes.get(name)?.shift() ?? "done";
    case "Pass":
      return "passed";
    case "Wait":
      return "not waited locally";
    case "Succeed":
      return "succeeded";
    case "Map":
      return `${iterations.get(name) ?? 0} iterations`;
    case "Parallel":
      return `${Array.isArray(state?.Branches) ? state.Branches.length : 0} branches`;
    default:
      return "done";
  }
}
