/**
 * A test Pulumi engine for component providers: it starts a provider the way Pulumi's Node.js
 * language host starts a plugin (`node @pulumi/pulumi/cmd/run-plugin <plugin dir> <engine
 * address>`, working directory the plugin's, port read from its first line of output) and plays
 * the engine's side of the conversation over gRPC: the Engine service (logs, root resource) and
 * the ResourceMonitor the provider registers the component's children with. Every registration is
 * recorded whole (type, name, parent, inputs with their secret paths, dependencies), and resources
 * get the same deterministic state as under the mock engine (`mockState`), so that what a
 * `Construct` builds can be compared with what the TypeScript components build under mocks.
 *
 * In a preview (`dryRun`), custom resources come back with their inputs only: every computed
 * output (ARNs, ids, generated names) is unknown, as the real engine answers during `pulumi preview`.
 */
import { ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { awsMocks, mockState, plainValue } from "../../components/testing/mockEngine";

/* eslint-disable @typescript-eslint/no-require-imports */
const resrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const resproto = require("@pulumi/pulumi/proto/resource_pb");
const enginerpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const engineproto = require("@pulumi/pulumi/proto/engine_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

/** Special values of Pulumi's wire format. */
export const SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
export const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
export const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A registration as the monitor received it. */
export interface Registration {
  /** The type token. */
  type: string;
  /** The logical name. */
  name: string;
  /** The URN the monitor assigned. */
  urn: string;
  /** The parent's URN. */
  parent?: string;
  /** Custom (provider) resource or component. */
  custom: boolean;
  /** The inputs as the provider would receive them (unknowns dropped, secrets unwrapped). */
  inputs: Record<string, unknown>;
  /** Paths of the inputs that were secret. */
  secretInputs: string[];
  /** URNs this resource depends on. */
  dependencies: string[];
  /** What a component registered as its outputs. */
  outputs?: Record<string, unknown>;
}

/** A provider started as a plugin, and the engine and monitor it talks to. */
export interface TestEngine {
  /** The provider's gRPC client. */
  provider: ProviderClient;
  /** Every registration of the current `Construct`, in order. */
  registrations: Registration[];
  /** Messages the provider logged through the engine. */
  logs: string[];
  /** The stack's URN. */
  stackUrn: string;
  /** The monitor's address, for `ConstructRequest.monitorEndpoint`. */
  monitorAddress: string;
  /** Whether the monitor answers as in a preview (set before each `Construct`). */
  dryRun: boolean;
  /** Stops the provider and the servers. */
  stop(): Promise<void>;
}

/** The subset of the generated ResourceProvider client the tests use. */
export interface ProviderClient {
  getSchema(req: unknown, cb: (err: grpc.ServiceError | null, resp: { getSchema(): string }) => void): void;
  getPluginInfo(
    req: unknown,
    cb: (err: grpc.ServiceError | null, resp: { getVersion(): string }) => void,
  ): void;
  configure(req: unknown, cb: (err: grpc.ServiceError | null, resp: unknown) => void): void;
  construct(req: unknown, cb: (err: grpc.ServiceError | null, resp: ConstructResponseLike) => void): void;
  close(): void;
}

/** What a ConstructResponse offers. */
export interface ConstructResponseLike {
  getUrn(): string;
  getState(): { toJavaScript(): Record<string, unknown> } | undefined;
}

const PROJECT = "s3-event-routes";
const STACK = "test";
const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const SUPPORTED = new Set(["secrets", "resourceReferences", "outputValues", "aliasSpecs", "deletedWith"]);

/** The qualified type part of a URN (`parentType$type`). */
function qualifiedType(urn: string): string {
  return urn.split("::")[2];
}

/**
 * Starts the monitor and engine servers, then the provider in `pluginDir` as the Node.js host
 * starts a plugin.
 */
export async function startTestEngine(pluginDir: string): Promise<TestEngine> {
  const registrations: Registration[] = [];
  const logs: string[] = [];
  const stackUrn = `urn:pulumi:${STACK}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${STACK}`;
  const byUrn = new Map<string, { id: string; state: Record<string, unknown>; type: string }>();
  const mocks = awsMocks(ACCOUNT, REGION);
  const engine: Partial<TestEngine> = { registrations, logs, stackUrn, dryRun: false };

  const server = new grpc.Server();
  server.addService(resrpc.ResourceMonitorService, {
    supportsFeature(call: { request: { getId(): string } }, cb: grpc.sendUnaryData<unknown>) {
      const resp = new resproto.SupportsFeatureResponse();
      resp.setHassupport(SUPPORTED.has(call.request.getId()));
      cb(null, resp);
    },
    registerResource(call: { request: RegisterRequest }, cb: grpc.sendUnaryData<unknown>) {
      const req = call.request;
      const parent = req.getParent() || stackUrn;
      const type = req.getType();
      const prefix = parent === stackUrn ? "" : `${qualifiedType(parent)}$`;
      const urn = `urn:pulumi:${STACK}::${PROJECT}::${prefix}${type}::${req.getName()}`;
      const secretInputs: string[] = [];
      const raw = req.getObject()?.toJavaScript() ?? {};
      const inputs = plainValue(raw, secretInputs, "") as Record<string, unknown>;
      registrations.push({
        type,
        name: req.getName(),
        urn,
        parent,
        custom: req.getCustom(),
        inputs,
        secretInputs,
        dependencies: req.getDependenciesList(),
      });
      const resp = new resproto.RegisterResourceResponse();
      resp.setUrn(urn);
      if (req.getCustom()) {
        const { id, state } = mockState({ type, name: req.getName(), inputs, custom: true }, ACCOUNT, REGION);
        // A preview knows the inputs and nothing the cloud computes.
        const answer = engine.dryRun ? { ...raw } : state;
        byUrn.set(urn, { id, state, type });
        resp.setId(engine.dryRun ? "" : id);
        resp.setObject(structproto.Struct.fromJavaScript(answer as never));
      } else {
        resp.setObject(structproto.Struct.fromJavaScript({}));
      }
      cb(null, resp);
    },
    registerResourceOutputs(
      call: { request: { getUrn(): string; getOutputs(): { toJavaScript(): Record<string, unknown> } } },
      cb: grpc.sendUnaryData<unknown>,
    ) {
      const found = registrations.find((r) => r.urn === call.request.getUrn());
      if (found) found.outputs = call.request.getOutputs()?.toJavaScript() ?? {};
      cb(null, new emptyproto.Empty());
    },
    invoke(
      call: { request: { getTok(): string; getArgs(): { toJavaScript(): Record<string, unknown> } } },
      cb: grpc.sendUnaryData<unknown>,
    ) {
      const tok = call.request.getTok();
      const args = call.request.getArgs()?.toJavaScript() ?? {};
      let result: Record<string, unknown>;
      if (tok === "pulumi:pulumi:getResource") {
        const known = byUrn.get(args.urn as string);
        result = { urn: args.urn, id: known?.id ?? "", state: known?.state ?? {} };
      } else {
        result = mocks.call({ token: tok, inputs: args }) as Record<string, unknown>;
      }
      const resp = new resproto.ResourceInvokeResponse();
      resp.setReturn(structproto.Struct.fromJavaScript(result as never));
      cb(null, resp);
    },
  });
  server.addService(enginerpc.EngineService, {
    log(call: { request: { getMessage(): string } }, cb: grpc.sendUnaryData<unknown>) {
      logs.push(call.request.getMessage());
      cb(null, new emptyproto.Empty());
    },
    getRootResource(_call: unknown, cb: grpc.sendUnaryData<unknown>) {
      const resp = new engineproto.GetRootResourceResponse();
      resp.setUrn(stackUrn);
      cb(null, resp);
    },
    setRootResource(_call: unknown, cb: grpc.sendUnaryData<unknown>) {
      cb(null, new engineproto.SetRootResourceResponse());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const address = `127.0.0.1:${port}`;

  // What the Node.js language host runs for RunPlugin: node <@pulumi/pulumi/cmd/run-plugin> <dir> <engine>.
  const runPlugin = join(dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "run-plugin");
  const child: ChildProcess = spawn(process.execPath, [runPlugin, pluginDir, address], {
    cwd: pluginDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const providerPort = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve(line.trim());
    });
    child.on("exit", (code) =>
      reject(new Error(`the provider exited (${code}) before it printed its port:\n${out}\n${stderr}`)),
    );
  });
  if (!/^\d+$/.test(providerPort)) {
    child.kill();
    throw new Error(`the provider printed "${providerPort}" where its port was expected:\n${stderr}`);
  }
  const provider = new provrpc.ResourceProviderClient(
    `127.0.0.1:${providerPort}`,
    grpc.credentials.createInsecure(),
  ) as ProviderClient;

  return Object.assign(engine, {
    provider,
    monitorAddress: address,
    async stop() {
      provider.close();
      child.kill();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  }) as TestEngine;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getDependenciesList(): string[];
}

/** Calls a unary method and resolves with its response, or rejects with the gRPC error. */
export function unary<T>(
  method: (req: unknown, cb: (err: grpc.ServiceError | null, resp: T) => void) => void,
  client: object,
  req: unknown,
): Promise<T> {
  return new Promise((resolve, reject) =>
    method.call(client, req, (err, resp) => (err ? reject(err) : resolve(resp))),
  );
}

/** The schema the provider serves. */
export async function getSchema(engine: TestEngine): Promise<Record<string, unknown>> {
  const req = new provproto.GetSchemaRequest();
  req.setVersion(0);
  const resp = await unary(engine.provider.getSchema, engine.provider, req);
  return JSON.parse(resp.getSchema());
}

/** What a `Construct` call answers. */
export interface ConstructResult {
  /** The component's URN. */
  urn: string;
  /** The component's outputs, in wire form (secrets, resource references and unknowns as sent). */
  state: Record<string, unknown>;
}

/**
 * Calls `Configure` (as the engine does first), then `Construct` for `type` named `name` under the
 * stack, with `inputs` in wire form (see {@link secretOutput}, {@link archive}).
 */
export async function construct(
  engine: TestEngine,
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  options: { dryRun?: boolean } = {},
): Promise<ConstructResult> {
  engine.registrations.length = 0;
  engine.dryRun = options.dryRun ?? false;
  const configure = new provproto.ConfigureRequest();
  configure.setAcceptsecrets(true);
  configure.setAcceptresources(true);
  await unary(engine.provider.configure, engine.provider, configure);
  const req = new provproto.ConstructRequest();
  req.setProject(PROJECT);
  req.setStack(STACK);
  req.setOrganization("organization");
  req.setDryrun(engine.dryRun);
  req.setParallel(16);
  req.setMonitorendpoint(engine.monitorAddress);
  req.setType(type);
  req.setName(name);
  req.setParent(engine.stackUrn);
  req.getConfigMap().set("aws:region", REGION);
  req.setInputs(structproto.Struct.fromJavaScript(inputs as never));
  req.setAcceptsOutputValues(true);
  const resp = await unary(engine.provider.construct, engine.provider, req);
  return { urn: resp.getUrn(), state: resp.getState()?.toJavaScript() ?? {} };
}

/** A secret as a modern engine sends it inside a component's inputs: an output value marked secret. */
export function secretOutput(value: string): Record<string, unknown> {
  return { [SIG]: OUTPUT_SIG, value, secret: true };
}

/** An archive of one JavaScript file, in wire form. */
export function archive(files: Record<string, string>): Record<string, unknown> {
  return {
    [SIG]: ARCHIVE_SIG,
    assets: Object.fromEntries(Object.entries(files).map(([k, text]) => [k, { [SIG]: ASSET_SIG, text }])),
  };
}

/** The plugin's GetPluginInfo version. */
export async function pluginVersion(engine: TestEngine): Promise<string> {
  const resp = await unary(engine.provider.getPluginInfo, engine.provider, new emptyproto.Empty());
  return resp.getVersion();
}
