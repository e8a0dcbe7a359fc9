/**
 * Lambda functions: their configuration, their asynchronous-invocation settings, and which
 * reference handler each one deploys (the one whose bundle is byte for byte its code).
 */
import * as pulumi from "@pulumi/pulumi";
import {
  bundleHandler,
  HANDLER_NAMES,
  HandlerName,
  LambdaArchitecture,
} from "../../../components/handlerBundle";
import type { RecordedResource } from "../../../components/testing/mockEngine";
import { arnOf, num, record, Recorded, str } from "./recorded";

/** A Lambda function. */
export interface LocalFunction {
  /** The logical name. */
  name: string;
  /** The function's name in AWS. */
  functionName: string;
  /** Its ARN. */
  arn: string;
  /** The reference handler whose bundle it deploys; undefined when its code is something else. */
  handler?: HandlerName;
  /** Its environment variables. */
  environment: Record<string, string>;
  /** Timeout, seconds. */
  timeoutSeconds: number;
  /** Memory, MB. */
  memorySize: number;
  /** Retries of an asynchronous invocation (FunctionEventInvokeConfig; Lambda's default 2). */
  maximumRetryAttempts: number;
  /** Where a failed asynchronous invocation goes (an ARN), if anywhere. */
  onFailure?: string;
}

/** The text of a function's `index.js`, as recorded (an AssetArchive of StringAssets). */
function recordedIndexJs(code: unknown): string | undefined {
  return str(record(record(record(code).assets)["index.js"]).text);
}

const bundleTexts = new Map<string, Promise<string | undefined>>();

/** The text of a reference handler's bundle (cached by bundleHandler: the stack just built it). */
function bundleText(name: HandlerName, architecture: LambdaArchitecture): Promise<string | undefined> {
  const key = `${name}/${architecture}`;
  let text = bundleTexts.get(key);
  if (!text) {
    text = (async () => {
      let bundle;
      try {
        bundle = bundleHandler(name, { architecture });
      } catch {
        // Its packages are not installed (a project without image handlers lacks sharp): then no
        // function of this stack deploys it.
        return undefined;
      }
      const index = (await bundle.code.assets)["index.js"];
      return index instanceof pulumi.asset.StringAsset ? await index.text : undefined;
    })();
    bundleTexts.set(key, text);
  }
  return text;
}

/**
 * Which reference handler a function deploys: the one whose bundle is byte for byte its code.
 * The loop then runs that handler's source in-process.
 */
async function identifyHandler(fn: RecordedResource): Promise<HandlerName | undefined> {
  const text = recordedIndexJs(fn.inputs.code);
  if (text === undefined) return undefined;
  const architectures = fn.inputs.architectures;
  const architecture: LambdaArchitecture =
    Array.isArray(architectures) && architectures[0] === "arm64" ? "arm64" : "x86_64";
  for (const name of HANDLER_NAMES) {
    if ((await bundleText(name, architecture)) === text) return name;
  }
  return undefined;
}

/** Every function, with its `FunctionEventInvokeConfig` (retries, on-failure destination). */
export async function readFunctions(recorded: Recorded): Promise<LocalFunction[]> {
  const invokeConfigs = new Map(
    recorded
      .of("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
      .map((c) => [str(c.inputs.functionName) ?? "", c]),
  );
  const functions: LocalFunction[] = [];
  for (const f of recorded.of("aws:lambda/function:Function")) {
    const functionName = str(f.state.name) ?? f.name;
    const config = invokeConfigs.get(functionName) ?? invokeConfigs.get(arnOf(f));
    const environment: Record<string, string> = {};
    for (const [k, v] of Object.entries(record(record(f.inputs.environment).variables))) {
      if (typeof v === "string") environment[k] = v;
    }
    const onFailure = str(record(record(config?.inputs.destinationConfig).onFailure).destination);
    functions.push({
      name: f.name,
      functionName,
      arn: arnOf(f),
      handler: await identifyHandler(f),
      environment,
      timeoutSeconds: num(f.inputs.timeout, 3),
      memorySize: num(f.inputs.memorySize, 128),
      maximumRetryAttempts: num(config?.inputs.maximumRetryAttempts, 2),
      ...(onFailure ? { onFailure } : {}),
    });
  }
  return functions;
}
