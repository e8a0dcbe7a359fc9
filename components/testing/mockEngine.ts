/**
 * Runs a Pulumi program offline, under `pulumi.runtime.setMocks`, and records every resource
 * registration whole: type, name, URN, parent, inputs, explicit dependencies and property
 * dependencies — what CrossGuard would see during a preview. No Pulumi CLI, no AWS account.
 *
 * The mock monitor hands the mocks only type, name and inputs; this module wraps the monitor's
 * `registerResource` to keep the rest of each `RegisterResourceRequest`.
 *
 * Imported as `s3-event-routes/testing`: install the engine before your program is loaded, run the
 * program with {@link runProgram}, and assert exact inputs with {@link ofType} and {@link one}.
 *
 * @module s3-event-routes/testing
 */
import * as pulumi from "@pulumi/pulumi";
import { answerInvoke, UNKNOWN_VALUE } from "./invokes";

/** One resource registration, as the engine would receive it. */
export interface RecordedResource {
  /** The resource type token, e.g. `aws:s3/bucketNotification:BucketNotification`. */
  type: string;
  /** The logical name. */
  name: string;
  /** The URN the mock monitor assigned. */
  urn: string;
  /** The parent's URN, or undefined for the stack itself. */
  parent?: string;
  /** The explicit provider reference (`<provider URN>::<provider id>`), or undefined for the default provider. */
  provider?: string;
  /** True for custom (provider) resources, false for components. */
  custom: boolean;
  /** The resolved inputs, as the provider would receive them (unknowns as undefined). */
  inputs: Record<string, unknown>;
  /** Paths of inputs that were marked secret (e.g. `authParameters.apiKey.value`). */
  secretInputs: string[];
  /** The URNs this resource depends on (explicit `dependsOn` plus those of its inputs). */
  dependencies: string[];
  /** For each input property, the URNs it depends on. */
  propertyDependencies: Record<string, string[]>;
  /** The `protect` option. */
  protect: boolean;
  /** The outputs the mocks produced (state). */
  state: Record<string, unknown>;
  /** The id the mocks assigned, if custom. */
  id?: string;
  /** What a component registered with `registerOutputs` (plain values), if anything. */
  outputs?: Record<string, unknown>;
  /** The `aliases` option as the engine receives it (alias specs, or old URNs); absent when none. */
  aliases?: RecordedAlias[];
}

/**
 * One alias of a registration: an old URN, or a spec the engine resolves against the resource's
 * own name, type and parent (empty fields: the resource's own).
 */
export interface RecordedAlias {
  /** An old URN, when the alias is given as one. */
  urn?: string;
  /** The old name. */
  name?: string;
  /** The old type. */
  type?: string;
  /** The old parent's URN. */
  parentUrn?: string;
  /** True when the resource used to have no parent (it was directly under the stack). */
  noParent?: boolean;
}

interface AliasLike {
  getUrn(): string;
  hasSpec(): boolean;
  getSpec():
    { getName(): string; getType(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
}

/** The aliases of a registration request, without empty fields. */
function recordedAliases(req: { getAliasesList?(): AliasLike[] }): RecordedAlias[] {
  return (req.getAliasesList?.() ?? []).map((a) => {
    const spec = a.hasSpec() ? a.getSpec() : undefined;
    if (!spec) return { urn: a.getUrn() };
    const out: RecordedAlias = {};
    if (spec.getName()) out.name = spec.getName();
    if (spec.getType()) out.type = spec.getType();
    if (spec.getParenturn()) out.parentUrn = spec.getParenturn();
    if (spec.getNoparent()) out.noParent = true;
    return out;
  });
}

/** What {@link runProgram} returns. */
export interface ProgramRun {
  /** Every registration, in order. */
  resources: RecordedResource[];
  /** The stack's outputs. */
  outputs: Record<string, unknown>;
  /** Errors the program raised (thrown, or rejected inside an `apply`). Empty when it ran clean. */
  errors: Error[];
}

/** Options of {@link runProgram}. */
export interface RunOptions {
  /** Pulumi project name. Default `"project"`. */
  project?: string;
  /** Stack name. Default `"dev"`. */
  stack?: string;
  /** Configuration, as `"<namespace>:<key>"` → value (objects are JSON-encoded). */
  config?: Record<string, unknown>;
  /** Configuration keys to treat as secrets. */
  secretKeys?: string[];
  /** Whether to run as a preview. Default true: unknowns stay unknown as in `pulumi preview`. */
  preview?: boolean;
  /** The AWS account id the mocks answer with. Default `123456789012`. */
  accountId?: string;
  /** The AWS region the mocks answer with. Default `us-east-1`. */
  region?: string;
  /** Seconds to wait for every registration before reporting a hang (a cycle or an output that never resolves). Default 60. */
  timeoutSeconds?: number;
  /** Extra per-type state the mocks should add to a resource's outputs. */
  extraState?: (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown> | undefined;
}

type Callback = (err: Error | null, resp?: unknown) => void;
interface RegisterRequestLike {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getCustom(): boolean;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
}
interface MonitorLike {
  registerResource(req: RegisterRequestLike, cb: Callback): void;
  registerResourceOutputs(req: unknown, cb: Callback): void;
  getRegisteredResources?(): Map<string, { urn: string; id: string | null; state: unknown }>;
}

/** Deterministic ARNs and ids for the mocks, shaped as AWS returns them. */
export function mockState(
  args: pulumi.runtime.MockResourceArgs,
  accountId: string,
  region: string,
): {
  /** The id the mock assigns: the physical name, URL or ARN AWS would use as the resource's id. */
  id: string;
  /** The outputs: the inputs plus the attributes AWS computes (ARN, name, URL, ...). */
  state: Record<string, unknown>;
} {
  const inputs = args.inputs as Record<string, unknown>;
  const name = args.name;
  const service = args.type.split(":")[1]?.split("/")[0] ?? "unknown";
  const physical = (inputs.name as string | undefined) ?? name;
  const state: Record<string, unknown> = { ...inputs };
  let id = `${name}-id`;
  switch (args.type) {
    case "aws:s3/bucket:Bucket": {
      // A bucket read with Bucket.get(name, id) is named by its id.
      const bucket = (inputs.bucket as string | undefined) ?? (args.id || undefined) ?? `${name}-mock`;
      id = bucket;
      Object.assign(state, { bucket, arn: `arn:aws:s3:::${bucket}`, region });
      break;
    }
    case "aws:sqs/queue:Queue": {
      const queueName =
        (inputs.name as string | undefined) ?? `${name}-mock${inputs.fifoQueue ? ".fifo" : ""}`;
      id = `https://sqs.${region}.amazonaws.com/${accountId}/${queueName}`;
      Object.assign(state, {
        name: queueName,
        url: id,
        arn: `arn:aws:sqs:${region}:${accountId}:${queueName}`,
      });
      break;
    }
    case "aws:sns/topic:Topic": {
      const topicName =
        (inputs.name as string | undefined) ?? `${name}-mock${inputs.fifoTopic ? ".fifo" : ""}`;
      id = `arn:aws:sns:${region}:${accountId}:${topicName}`;
      Object.assign(state, { name: topicName, arn: id });
      break;
    }
    case "aws:lambda/function:Function": {
      const fn = (inputs.name as string | undefined) ?? `${name}-mock`;
      id = fn;
      Object.assign(state, {
        name: fn,
        arn: `arn:aws:lambda:${region}:${accountId}:function:${fn}`,
        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${region}:${accountId}:function:${fn}/invocations`,
      });
      break;
    }
    case "aws:iam/role:Role":
      Object.assign(state, { name: physical, arn: `arn:aws:iam::${accountId}:role/${physical}` });
      break;
    case "aws:kms/key:Key":
      id = `mock-key-${name}`;
      Object.assign(state, { keyId: id, arn: `arn:aws:kms:${region}:${accountId}:key/${id}` });
      break;
    case "aws:kms/alias:Alias":
      Object.assign(state, { arn: `arn:aws:kms:${region}:${accountId}:${inputs.name ?? `alias/${name}`}` });
      break;
    case "aws:sfn/stateMachine:StateMachine":
      Object.assign(state, { arn: `arn:aws:states:${region}:${accountId}:stateMachine:${physical}` });
      break;
    case "aws:cloudwatch/eventRule:EventRule":
      Object.assign(state, {
        arn: `arn:aws:events:${region}:${accountId}:rule/${(inputs.eventBusName as string | undefined) ?? "default"}/${physical}`,
      });
      break;
    case "aws:cloudwatch/eventConnection:EventConnection":
      Object.assign(state, {
        arn: `arn:aws:events:${region}:${accountId}:connection/${physical}/mock`,
        secretArn: `arn:aws:secretsmanager:${region}:${accountId}:secret:events!connection/${physical}/mock`,
      });
      break;
    case "aws:cloudwatch/eventApiDestination:EventApiDestination":
      Object.assign(state, { arn: `arn:aws:events:${region}:${accountId}:api-destination/${physical}/mock` });
      break;
    case "aws:cloudwatch/logGroup:LogGroup":
      Object.assign(state, { arn: `arn:aws:logs:${region}:${accountId}:log-group:${physical}` });
      break;
    case "aws:dynamodb/table:Table":
      Object.assign(state, { arn: `arn:aws:dynamodb:${region}:${accountId}:table/${physical}` });
      break;
    case "aws:cloudtrail/trail:Trail":
      Object.assign(state, { arn: `arn:aws:cloudtrail:${region}:${accountId}:trail/${physical}` });
      break;
    default:
      if (state.arn === undefined && !args.type.startsWith("pulumi:"))
        state.arn = `arn:aws:${service}:${region}:${accountId}:${name}`;
  }
  if (state.name === undefined && !args.type.startsWith("pulumi:") && !args.type.startsWith("aws:s3/")) {
    state.name = physical;
  }
  return { id, state };
}

/**
 * The mocks used by {@link runProgram}: realistic ARNs, account, region and partition. A resource's
 * ARNs (and a bucket's `region`) use the region it is managed in: its own `region` input, else its
 * explicit provider's `region`, else `region`.
 */
export function awsMocks(
  accountId: string,
  region: string,
  extra?: RunOptions["extraState"],
): pulumi.runtime.Mocks {
  // Provider id (as the mocks assigned it) -> the region it was configured with.
  const providerRegions = new Map<string, string>();
  return {
    newResource(args) {
      const inputs = args.inputs as Record<string, unknown>;
      const providerId = args.provider ? args.provider.slice(args.provider.lastIndexOf("::") + 2) : undefined;
      const effective =
        (typeof inputs.region === "string" ? inputs.region : undefined) ??
        (providerId !== undefined ? providerRegions.get(providerId) : undefined) ??
        region;
      const { id, state } = mockState(args, accountId, effective);
      if (args.type === "pulumi:providers:aws" && typeof inputs.region === "string")
        providerRegions.set(id, inputs.region);
      return { id, state: { ...state, ...(extra?.(args) ?? {}) } };
    },
    call(args) {
      // The invokes' answers (components/testing/invokes.ts): computed as AWS and the provider would,
      // unknown where they cannot be known offline.
      return answerInvoke(args.token, args.inputs as Record<string, unknown>, { accountId, region });
    },
  };
}

let installed: { records: RecordedResource[]; byUrn: Map<string, RecordedResource> } | undefined;

/**
 * Installs the mocks and the recorder. Call once per process, before the program (or any module
 * that creates resources) is imported.
 */
export function installMockEngine(options: RunOptions = {}): {
  /** The registrations of the program being run ({@link runProgram} empties it when it starts). */
  records: RecordedResource[];
  /** The same registrations by URN. */
  byUrn: Map<string, RecordedResource>;
} {
  const accountId = options.accountId ?? "123456789012";
  const region = options.region ?? "us-east-1";
  const project = options.project ?? "project";
  const stack = options.stack ?? "dev";
  if (options.config) {
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.config))
      config[k] = typeof v === "string" ? v : JSON.stringify(v);
    pulumi.runtime.setAllConfig(config, options.secretKeys);
  }
  // `aws:region` is what @pulumi/aws reads for its default provider.
  if (!options.config?.["aws:region"]) pulumi.runtime.setConfig("aws:region", region);
  void pulumi.runtime.setMocks(
    awsMocks(accountId, region, options.extraState),
    project,
    stack,
    options.preview ?? true,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const records: RecordedResource[] = [];
  const byUrn = new Map<string, RecordedResource>();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    register(req, (err, resp) => {
      if (!err && resp) {
        const r = resp as {
          getUrn(): string;
          getId(): string;
          getObject(): { toJavaScript(): Record<string, unknown> };
        };
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((v, k) => (propertyDependencies[k] = v.getUrnsList()));
        const state = r.getObject()?.toJavaScript() ?? {};
        const secretInputs: string[] = [];
        const raw = (
          req as unknown as { getObject(): { toJavaScript(): Record<string, unknown> } }
        ).getObject();
        const inputs = plainValue(raw?.toJavaScript() ?? {}, secretInputs, "") as Record<string, unknown>;
        const record: RecordedResource = {
          type: req.getType(),
          name: req.getName(),
          urn: r.getUrn(),
          parent: req.getParent() || undefined,
          provider: req.getProvider() || undefined,
          custom: req.getCustom(),
          inputs,
          secretInputs,
          dependencies: req.getDependenciesList(),
          propertyDependencies,
          protect: req.getProtect() === true,
          state,
          id: r.getId() || undefined,
        };
        const aliases = recordedAliases(req as unknown as { getAliasesList?(): AliasLike[] });
        if (aliases.length > 0) record.aliases = aliases;
        records.push(record);
        byUrn.set(record.urn, record);
      }
      cb(err, resp);
    });
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, cb) => {
    const r = req as {
      getUrn(): string;
      getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined;
    };
    const outputs = plainValue(r.getOutputs()?.toJavaScript() ?? {}, [], "") as Record<string, unknown>;
    const record = byUrn.get(r.getUrn());
    if (record) record.outputs = outputs;
    registerOutputs(req, cb);
  };
  installed = { records, byUrn };
  return installed;
}

/**
 * Runs `program` as the body of a Pulumi stack under the installed mocks and waits for every
 * registration to finish. Errors raised by the program, synchronously or inside an `apply`, are
 * collected in `errors` rather than thrown.
 */
export async function runProgram(program: () => unknown, options: RunOptions = {}): Promise<ProgramRun> {
  const engine = installed ?? installMockEngine(options);
  engine.records.length = 0;
  engine.byUrn.clear();
  const errors: Error[] = [];
  const onRejection = (reason: unknown) =>
    errors.push(reason instanceof Error ? reason : new Error(String(reason)));
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onRejection);
  let outputs: Record<string, unknown> = {};
  try {
    outputs = ((await pulumi.runtime.runInPulumiStack(async () => program())) ?? {}) as Record<
      string,
      unknown
    >;
  } catch (e) {
    errors.push(e instanceof Error ? e : new Error(String(e)));
  }
  const seconds = options.timeoutSeconds ?? 60;
  let timer: NodeJS.Timeout | undefined;
  try {
    // Internal to @pulumi/pulumi (stripped from its typings) but exported: drains pending RPCs.
    const drained = (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `The program did not finish registering its resources within ${seconds} s: an output never ` +
                `resolves, or resources depend on each other in a cycle. ${engine.records.length} registrations completed.`,
            ),
          ),
        seconds * 1000,
      );
    });
    await Promise.race([drained, hung]);
  } catch (e) {
    errors.push(e instanceof Error ? e : new Error(String(e)));
  } finally {
    clearTimeout(timer);
  }
  // Let rejections queued in the last turn surface before the listeners go.
  await new Promise((resolve) => setImmediate(resolve));
  process.off("unhandledRejection", onRejection);
  process.off("uncaughtException", onRejection);
  return { resources: [...engine.records], outputs, errors: dedupeErrors(errors) };
}

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/**
 * Turns a serialized property into the plain value a provider (and CrossGuard) sees: unknowns
 * become undefined, secrets are unwrapped (their paths noted), resource references become ids.
 */
export function plainValue(value: unknown, secrets: string[], path: string): unknown {
  if (value === UNKNOWN_VALUE) return undefined;
  if (Array.isArray(value)) return value.map((v, i) => plainValue(v, secrets, `${path}[${i}]`));
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG] === SECRET_SIG) {
      secrets.push(path);
      return plainValue(obj.value, secrets, path);
    }
    if (obj[SIG] === RESOURCE_SIG) return (obj.id as string | undefined) || obj.urn;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      const plain = plainValue(v, secrets, path ? `${path}.${k}` : k);
      if (plain !== undefined) out[k] = plain;
    }
    return out;
  }
  return value;
}

function dedupeErrors(errors: Error[]): Error[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = e.message;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Finds recorded resources of one type (and, optionally, a name). */
export function ofType(
  resources: readonly RecordedResource[],
  type: string,
  name?: string,
): RecordedResource[] {
  return resources.filter((r) => r.type === type && (name === undefined || r.name === name));
}

/** Finds exactly one recorded resource by type and name, with a clear error otherwise. */
export function one(resources: readonly RecordedResource[], type: string, name: string): RecordedResource {
  const found = ofType(resources, type, name);
  if (found.length !== 1) {
    const names = ofType(resources, type).map((r) => r.name);
    throw new Error(
      `expected one ${type} named "${name}", found ${found.length}; registered: ${names.join(", ") || "none"}`,
    );
  }
  return found[0];
}
