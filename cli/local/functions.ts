/**
 * Lambda functions run in-process: each function of the stack whose code is a reference handler's
 * bundle runs that handler's module (handlers/<name>/index.ts here, its build once installed),
 * loaded once with the function's own environment variables — read at module scope, as at a cold
 * start — and invoked with a Lambda context and the function's timeout.
 */
import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";
import { handlerModule } from "../../components/handlerBundle";
import { packageRoot } from "../../components/packageRoot";
import type { LocalFunction } from "./topology";

/** A handler as Lambda calls it. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** The error of an invocation that ran out of time. */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Sandbox.Timedout";
  }
}

/** The functions of a stack, loaded on first use. */
export class LocalFunctions {
  private readonly loaded = new Map<string, LambdaHandler>();

  /**
   * @param root - the project directory (the handlers' sources are the installed package's).
   * @param functions - the stack's functions.
   */
  constructor(
    readonly root: string,
    readonly functions: readonly LocalFunction[],
  ) {}

  /** A function by ARN (qualified or not), name in AWS, or logical name. */
  find(ref: string): LocalFunction | undefined {
    const unqualified = ref.replace(/^(arn:[^:]+:lambda:[^:]+:[^:]+:function:[^:]+):.*$/, "$1");
    return this.functions.find((f) => f.arn === unqualified || f.functionName === ref || f.name === ref);
  }

  /** A short label: `lambda "<logical name>"` as the plan names targets. */
  static label(fn: LocalFunction): string {
    return `lambda "${fn.name}"`;
  }

  /**
   * Loads a function's handler: its environment is in place while the module is evaluated (module
   * scope reads it, as at a cold start) and restored after.
   *
   * @throws Error when the function's code is not a reference handler.
   */
  load(fn: LocalFunction): LambdaHandler {
    const cached = this.loaded.get(fn.arn);
    if (cached) return cached;
    if (!fn.handler) {
      throw new Error(
        `${LocalFunctions.label(fn)}: its code is not one of the reference handlers (handlers/*), so it cannot run locally.`,
      );
    }
    // The module bundleHandler bundles: the sources here, the package's build once installed.
    const path = require.resolve(handlerModule(packageRoot(), [fn.handler, "index"]));
    const environment: Record<string, string> = {
      ...fn.environment,
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    };
    const saved = new Map<string, string | undefined>();
    for (const [k, v] of Object.entries(environment)) {
      saved.set(k, process.env[k]);
      process.env[k] = v;
    }
    let handler: unknown;
    try {
      // A fresh module per function, so two functions deploying one handler keep their own config.
      delete require.cache[path];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require(path) as { handler?: unknown }).handler;
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    if (typeof handler !== "function") throw new Error(`${path} exports no handler function.`);
    const loaded = handler as LambdaHandler;
    this.loaded.set(fn.arn, loaded);
    return loaded;
  }

  /**
   * Invokes a function synchronously, with its timeout.
   *
   * @param fn - the function.
   * @param event - the event.
   * @returns what the handler returned.
   * @throws what the handler threw, or {@link TimeoutError}.
   */
  async invoke(fn: LocalFunction, event: unknown): Promise<unknown> {
    const handler = this.load(fn);
    const timeoutMs = fn.timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: fn.functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: String(fn.memorySize),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${fn.functionName}`,
      logStreamName: `local/[$LATEST]${randomUUID().replace(/-/g, "")}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TimeoutError(`Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([handler(event, context), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
