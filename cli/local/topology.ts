/**
 * What the local event loop needs to know about a stack, read from its offline plan (the recorded
 * registrations of the program run under mocks): buckets, the route table, and the pieces events
 * travel through — functions (and which reference handler each one deploys), queues with their
 * redrive and consumers, topics with their subscriptions, EventBridge rules with their targets and
 * input transformers, state machines, API destinations and tables. Nothing here is specific to
 * index.ts: another stack built from the same components runs locally the same way.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EventPattern } from "../../model/eventPattern";
import {
  bundleHandler,
  HANDLER_NAMES,
  HandlerName,
  LambdaArchitecture,
} from "../../components/handlerBundle";
import type { InputTransformer } from "../../model/inputTransformer";
import type { RecordedResource } from "../../components/testing/mockEngine";
import { collectRoutes, PlanRoute } from "../planReport";

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

/** An SQS queue. */
export interface LocalQueue {
  /** The logical name. */
  name: string;
  /** The queue's name in AWS. */
  queueName: string;
  /** Its ARN. */
  arn: string;
  /** Visibility timeout, seconds. */
  visibilityTimeoutSeconds: number;
  /** Its redrive policy. */
  redrive?: { deadLetterArn: string; maxReceiveCount: number };
  /** The function an event source mapping feeds from it. */
  consumer?: {
    functionName: string;
    batchSize: number;
    windowSeconds: number;
    reportBatchItemFailures: boolean;
  };
}

/** A subscription of a topic. */
export interface LocalSubscription {
  /** The logical name. */
  name: string;
  /** `email`, `email-json`, `sms`, `sqs`, `lambda`, `https`, ... */
  protocol: string;
  /** The address, number, or ARN. */
  endpoint: string;
  /** Raw message delivery (SQS, HTTPS). */
  raw: boolean;
}

/** An SNS topic. */
export interface LocalTopic {
  /** The logical name. */
  name: string;
  /** Its ARN. */
  arn: string;
  /** Its subscriptions. */
  subscriptions: LocalSubscription[];
}

/** A target of an EventBridge rule. */
export interface LocalRuleTarget {
  /** The logical name. */
  name: string;
  /** The destination's ARN. */
  arn: string;
  /** What the target receives instead of the event, if set. */
  inputTransformer?: InputTransformer;
  /** Where undeliverable events go. */
  deadLetterArn?: string;
}

/** An EventBridge rule. */
export interface LocalRule {
  /** The rule's name. */
  name: string;
  /** Its event pattern. */
  pattern: EventPattern;
  /** Its targets. */
  targets: LocalRuleTarget[];
}

/** A Step Functions state machine. */
export interface LocalStateMachine {
  /** The logical name. */
  name: string;
  /** Its ARN. */
  arn: string;
  /** Its Amazon States Language definition. */
  definition: Record<string, unknown>;
}

/** An EventBridge API destination (a webhook). */
export interface LocalApiDestination {
  /** The logical name. */
  name: string;
  /** Its ARN. */
  arn: string;
  /** The endpoint it calls. */
  endpoint: string;
  /** The HTTP method. */
  method: string;
  /** Headers its connection adds (API key, basic auth); OAuth is not reproduced. */
  headers: Record<string, string>;
  /** How the connection authenticates. */
  authorization: string;
}

/** A DynamoDB table. */
export interface LocalTable {
  /** The table's name. */
  name: string;
  /** Its partition key. */
  hashKey: string;
}

/** Everything the loop delivers through. */
export interface Topology {
  /** The account id of the mocks. */
  accountId: string;
  /** The region. */
  region: string;
  /** Every bucket's physical name. */
  buckets: string[];
  /** The route table, as the plan shows it. */
  routes: PlanRoute[];
  /** `<bucket name>/<entry Id>` → destination ARN, for native notification entries. */
  nativeDestinations: Map<string, string>;
  /** Buckets whose notification sends every event to EventBridge. */
  eventBridgeBuckets: Set<string>;
  /** Functions. */
  functions: LocalFunction[];
  /** Queues. */
  queues: LocalQueue[];
  /** Topics. */
  topics: LocalTopic[];
  /** EventBridge rules (object and bucket-call rules alike). */
  rules: LocalRule[];
  /** State machines. */
  stateMachines: LocalStateMachine[];
  /** API destinations. */
  apiDestinations: LocalApiDestination[];
  /** Tables. */
  tables: LocalTable[];
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown, fallback: number): number => (typeof v === "number" ? v : fallback);
const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(record) : []);

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
 * The loop then runs that handler's source (handlers/<name>/index.ts) in-process.
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

/**
 * Reads the topology from a program's recorded registrations.
 *
 * @param resources - what the mock engine recorded.
 * @param region - the stack's region.
 * @param accountId - the mocks' account id.
 */
export async function readTopology(
  resources: readonly RecordedResource[],
  region: string,
  accountId: string,
): Promise<Topology> {
  const of = (type: string) => resources.filter((r) => r.type === type);
  const arnOf = (r: RecordedResource) => str(r.state.arn) ?? "";

  const buckets = of("aws:s3/bucket:Bucket")
    .map((r) => str(r.state.bucket) ?? r.id ?? r.name)
    .filter((b, i, all) => all.indexOf(b) === i);

  const nativeDestinations = new Map<string, string>();
  const eventBridgeBuckets = new Set<string>();
  for (const n of of("aws:s3/bucketNotification:BucketNotification")) {
    const bucket = str(n.inputs.bucket) ?? n.name;
    if (n.inputs.eventbridge === true) eventBridgeBuckets.add(bucket);
    const kinds = [
      ["lambdaFunctions", "lambdaFunctionArn"],
      ["queues", "queueArn"],
      ["topics", "topicArn"],
    ] as const;
    for (const [field, arnField] of kinds) {
      for (const entry of list(n.inputs[field])) {
        const id = str(entry.id);
        const arn = str(entry[arnField]);
        if (id && arn) nativeDestinations.set(`${bucket}/${id}`, arn);
      }
    }
  }

  const invokeConfigs = new Map(
    of("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").map((c) => [
      str(c.inputs.functionName) ?? "",
      c,
    ]),
  );
  const functions: LocalFunction[] = [];
  for (const f of of("aws:lambda/function:Function")) {
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

  const mappings = of("aws:lambda/eventSourceMapping:EventSourceMapping");
  const queues: LocalQueue[] = of("aws:sqs/queue:Queue").map((q) => {
    const arn = arnOf(q);
    const queue: LocalQueue = {
      name: q.name,
      queueName: str(q.state.name) ?? q.name,
      arn,
      visibilityTimeoutSeconds: num(q.inputs.visibilityTimeoutSeconds, 30),
    };
    const redrive = str(q.inputs.redrivePolicy);
    if (redrive) {
      const parsed = JSON.parse(redrive) as { deadLetterTargetArn?: string; maxReceiveCount?: number };
      if (parsed.deadLetterTargetArn) {
        queue.redrive = {
          deadLetterArn: parsed.deadLetterTargetArn,
          maxReceiveCount: parsed.maxReceiveCount ?? 10,
        };
      }
    }
    const mapping = mappings.find((m) => m.inputs.eventSourceArn === arn && m.inputs.enabled !== false);
    if (mapping) {
      const types = mapping.inputs.functionResponseTypes;
      queue.consumer = {
        functionName: str(mapping.inputs.functionName) ?? "",
        batchSize: num(mapping.inputs.batchSize, 10),
        windowSeconds: num(mapping.inputs.maximumBatchingWindowInSeconds, 0),
        reportBatchItemFailures: Array.isArray(types) && types.includes("ReportBatchItemFailures"),
      };
    }
    return queue;
  });

  const subscriptions = of("aws:sns/topicSubscription:TopicSubscription");
  const topics: LocalTopic[] = of("aws:sns/topic:Topic").map((t) => ({
    name: t.name,
    arn: arnOf(t),
    subscriptions: subscriptions
      .filter((s) => s.inputs.topic === arnOf(t))
      .map((s) => ({
        name: s.name,
        protocol: str(s.inputs.protocol) ?? "?",
        endpoint: str(s.inputs.endpoint) ?? "?",
        raw: s.inputs.rawMessageDelivery === true,
      })),
  }));

  const eventTargets = of("aws:cloudwatch/eventTarget:EventTarget");
  const rules: LocalRule[] = [];
  for (const r of of("aws:cloudwatch/eventRule:EventRule")) {
    const pattern = str(r.inputs.eventPattern);
    if (!pattern || r.inputs.state === "DISABLED") continue;
    const ruleName = str(r.state.name) ?? r.name;
    rules.push({
      name: ruleName,
      pattern: JSON.parse(pattern) as EventPattern,
      targets: eventTargets
        .filter((t) => t.inputs.rule === ruleName)
        .map((t) => {
          const transformer = record(t.inputs.inputTransformer);
          const target: LocalRuleTarget = { name: t.name, arn: str(t.inputs.arn) ?? "" };
          if (typeof transformer.inputTemplate === "string") {
            target.inputTransformer = {
              inputPaths: record(transformer.inputPaths) as Record<string, string>,
              inputTemplate: transformer.inputTemplate,
            };
          }
          const dlq = str(record(t.inputs.deadLetterConfig).arn);
          if (dlq) target.deadLetterArn = dlq;
          return target;
        }),
    });
  }

  const stateMachines: LocalStateMachine[] = of("aws:sfn/stateMachine:StateMachine").flatMap((m) => {
    const definition = str(m.inputs.definition);
    return definition
      ? [{ name: m.name, arn: arnOf(m), definition: JSON.parse(definition) as Record<string, unknown> }]
      : [];
  });

  const connections = new Map(of("aws:cloudwatch/eventConnection:EventConnection").map((c) => [arnOf(c), c]));
  const apiDestinations: LocalApiDestination[] = of(
    "aws:cloudwatch/eventApiDestination:EventApiDestination",
  ).map((d) => {
    const connection = connections.get(str(d.inputs.connectionArn) ?? "");
    const authorization = str(connection?.inputs.authorizationType) ?? "NONE";
    const auth = record(connection?.inputs.authParameters);
    const headers: Record<string, string> = {};
    const apiKey = record(auth.apiKey);
    if (authorization === "API_KEY" && typeof apiKey.key === "string" && typeof apiKey.value === "string") {
      headers[apiKey.key] = apiKey.value;
    }
    const basic = record(auth.basic);
    if (
      authorization === "BASIC" &&
      typeof basic.username === "string" &&
      typeof basic.password === "string"
    ) {
      headers.authorization = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString("base64")}`;
    }
    return {
      name: d.name,
      arn: arnOf(d),
      endpoint: str(d.inputs.invocationEndpoint) ?? "",
      method: str(d.inputs.httpMethod) ?? "POST",
      headers,
      authorization,
    };
  });

  const tables: LocalTable[] = of("aws:dynamodb/table:Table").map((t) => ({
    name: str(t.state.name) ?? t.name,
    hashKey: str(t.inputs.hashKey) ?? "pk",
  }));

  return {
    accountId,
    region,
    buckets,
    routes: collectRoutes(resources),
    nativeDestinations,
    eventBridgeBuckets,
    functions,
    queues,
    topics,
    rules,
    stateMachines,
    apiDestinations,
    tables,
  };
}
