/**
 * A stand-in for the part of the CrossGuard runtime that evaluates policies, so that the pack's
 * policies run unchanged on what the mock engine recorded.
 *
 * It follows @pulumi/policy 1.21's `server.js` (`makeAnalyzeRpcFun`, `makeAnalyzeStackRpcFun`):
 * the enforcement level is the pack config's, else the policy's, else the pack's (`advisory`);
 * `disabled` policies are skipped and `remediate` validates as `mandatory`; a validation whose
 * function carries `__pulumiType` is skipped for other types; `notApplicable` throws and is noted;
 * an `UnknownValueError` becomes an advisory "can't run during preview"; any other error is the
 * policy's failure. Resource policies see a resource's inputs, stack policies its outputs, with
 * parent, dependencies and property dependencies resolved to the stack's `PolicyResource`s.
 *
 * One addition: resource validations also get {@link SecretAwareArgs.secretInputPaths}, because
 * @pulumi/policy hides secretness from validations and the mock engine records it.
 */
import {
  EnforcementLevel,
  Policies,
  PolicyConfigSchema,
  PolicyPackConfig,
  PolicyProviderResource,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
  UnknownValueError,
} from "@pulumi/policy";
import { Resource, Unwrap } from "@pulumi/pulumi";
import * as q from "@pulumi/pulumi/queryable";
import { plainValue, RecordedResource } from "../../components/testing/mockEngine";
import { SecretAwareArgs } from "../../policies/secretness";

/** One violation, as the checker reports it. */
export interface CheckedViolation {
  /** The policy's name. */
  policy: string;
  /** The level it was reported at (`remediate` reports as `mandatory`, as CrossGuard does). */
  enforcementLevel: "advisory" | "mandatory";
  /** The resource at fault; undefined when a stack policy blamed the whole stack. */
  resource?: { type: string; name: string; urn: string };
  /** The policy's message. */
  message: string;
}

/** A policy that said it does not apply, and why. */
export interface NotApplicable {
  /** The policy's name. */
  policy: string;
  /** The resource, for resource policies. */
  urn?: string;
  /** The reason given. */
  reason?: string;
}

/** What {@link evaluatePolicies} returns. */
export interface Evaluation {
  /** Violations, in policy order, then resource order. */
  violations: CheckedViolation[];
  /** Policies (or validations) that reported themselves not applicable. */
  notApplicable: NotApplicable[];
}

/** The stack the records came from. */
export interface StackContext {
  /** The Pulumi project name. */
  project: string;
  /** The stack name. */
  stack: string;
  /** The default AWS provider's region (`aws:region`). */
  region: string;
  /** The @pulumi/aws version, for the default provider's name. Default: the installed one. */
  awsVersion?: string;
  /** Per-policy configuration, as in a pack config file (`{ "<policy>": { ... } }` or a level). */
  config?: PolicyPackConfig;
  /** The pack's default enforcement level. Default `advisory`, as `new PolicyPack` uses. */
  packEnforcementLevel?: EnforcementLevel;
}

/** Thrown by `notApplicable`, as @pulumi/policy's own (unexported) NotApplicableError. */
class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "not applicable");
  }
}

/** Thrown when a policy itself fails on a resource (CrossGuard fails the preview then). */
export class PolicyError extends Error {
  constructor(
    readonly policy: string,
    readonly urn: string | undefined,
    readonly cause: unknown,
  ) {
    super(
      `policy "${policy}" failed${urn ? ` on ${urn}` : ""}: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`,
    );
  }
}

type ResourceClass = { new (...rest: never[]): Resource };

function pulumiTypeOf(x: unknown): string | undefined {
  const t = (x as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof t === "string" && t.length > 0 ? t : undefined;
}

/** `isTypeOf` of @pulumi/policy's server: the class's `__pulumiType`, else its `isInstance`. */
function isTypeOf(type: string, resourceClass: ResourceClass): boolean {
  const pulumiType = pulumiTypeOf(resourceClass);
  if (pulumiType) return type === pulumiType;
  const isInstance = (resourceClass as unknown as { isInstance?: (o: unknown) => boolean }).isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function isResourcePolicy(p: Policies[number]): p is ResourceValidationPolicy {
  const v = (p as ResourceValidationPolicy).validateResource;
  if (typeof v === "function") return true;
  if (Array.isArray(v)) return v.every((f) => typeof f === "function");
  return typeof (p as ResourceValidationPolicy).remediateResource === "function";
}

function isStackPolicy(p: Policies[number]): p is StackValidationPolicy {
  return typeof (p as StackValidationPolicy).validateStack === "function";
}

/** The configuration a policy's `getConfig` returns: the schema's defaults, overlaid with the pack config. */
export function policyConfig(
  name: string,
  schema: PolicyConfigSchema | undefined,
  config: PolicyPackConfig | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema?.properties ?? {})) {
    const d = (v as { default?: unknown }).default;
    if (d !== undefined) out[k] = d;
  }
  const given = config?.[name];
  if (given && typeof given === "object") {
    for (const [k, v] of Object.entries(given)) if (k !== "enforcementLevel") out[k] = v;
  }
  return out;
}

function enforcementOf(p: Policies[number], ctx: StackContext): EnforcementLevel {
  const given = ctx.config?.[p.name];
  const fromConfig = typeof given === "string" ? given : given?.enforcementLevel;
  return fromConfig || p.enforcementLevel || ctx.packEnforcementLevel || "advisory";
}

const EMPTY_TAGS: ReadonlyMap<string, string> = new Map();

function options(r: RecordedResource): PolicyResourceOptions {
  return {
    protect: r.protect,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(r.parent ? { parent: r.parent } : {}),
  };
}

function installedAwsVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("@pulumi/aws/package.json") as { version: string }).version;
}

/** Providers as CrossGuard describes them: the explicit provider resources, else the engine's default provider. */
function providerResolver(
  records: readonly RecordedResource[],
  ctx: StackContext,
): (r: RecordedResource) => PolicyProviderResource | undefined {
  const byUrn = new Map(records.map((r) => [r.urn, r]));
  const version = (ctx.awsVersion ?? installedAwsVersion()).replace(/\./g, "_");
  const defaultName = `default_${version}`;
  const defaultAws: PolicyProviderResource = {
    type: "pulumi:providers:aws",
    name: defaultName,
    urn: `urn:pulumi:${ctx.stack}::${ctx.project}::pulumi:providers:aws::${defaultName}`,
    props: { region: ctx.region },
  };
  return (r) => {
    if (r.provider) {
      const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
      const p = byUrn.get(urn);
      return p ? { type: p.type, name: p.name, urn: p.urn, props: p.inputs } : undefined;
    }
    return r.type.startsWith("aws:") ? defaultAws : undefined;
  };
}

/** The stack's resources as a stack policy receives them: outputs, links resolved to one another. */
export function stackPolicyResources(
  records: readonly RecordedResource[],
  ctx: StackContext,
): PolicyResource[] {
  const providerOf = providerResolver(records, ctx);
  const resources = records.map((r) => {
    const props = plainValue(r.state, [], "") as Record<string, unknown>;
    // Bridged providers' outputs carry the resource's id as a property; the mock state does not.
    if (r.custom && r.id !== undefined && props.id === undefined) props.id = r.id;
    const type = r.type;
    const resource: PolicyResource = {
      type,
      props,
      urn: r.urn,
      name: r.name,
      opts: options(r),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isTypeOf(type, cls as ResourceClass),
      asType: <T extends Resource>(cls: { new (...rest: never[]): T }) =>
        (isTypeOf(type, cls as ResourceClass) ? props : undefined) as q.ResolvedResource<T> | undefined,
    };
    const provider = providerOf(r);
    if (provider) resource.provider = provider;
    return resource;
  });
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  records.forEach((r, i) => {
    const resource = resources[i];
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    if (parent) resource.parent = parent;
    resource.dependencies = r.dependencies.flatMap((d) => byUrn.get(d) ?? []);
    for (const [k, urns] of Object.entries(r.propertyDependencies))
      resource.propertyDependencies[k] = urns.flatMap((d) => byUrn.get(d) ?? []);
  });
  return resources;
}

/** The arguments a resource validation receives for one recorded resource. */
export function resourceValidationArgs(
  r: RecordedResource,
  provider: PolicyProviderResource | undefined,
  getConfig: () => Record<string, unknown>,
): ResourceValidationArgs & SecretAwareArgs {
  const props = r.inputs;
  const type = r.type;
  const args: ResourceValidationArgs & SecretAwareArgs = {
    type,
    props,
    urn: r.urn,
    name: r.name,
    opts: options(r),
    stackTags: EMPTY_TAGS,
    isType: (cls) => isTypeOf(type, cls as ResourceClass),
    asType: <T extends Resource, TArgs>(cls: { new (name: string, args: TArgs, ...rest: never[]): T }) =>
      (isTypeOf(type, cls as unknown as ResourceClass) ? props : undefined) as
        Unwrap<NonNullable<TArgs>> | undefined,
    getConfig: <T extends object>() => getConfig() as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicableError(reason);
    },
    secretInputPaths: r.secretInputs,
  };
  if (provider) args.provider = provider;
  return args;
}

/**
 * Evaluates every policy on the recorded resources: resource policies on each resource, then
 * stack policies on the whole stack, in the pack's order.
 *
 * @throws PolicyError when a policy itself fails.
 */
export async function evaluatePolicies(
  policies: Policies,
  records: readonly RecordedResource[],
  ctx: StackContext,
): Promise<Evaluation> {
  const violations: CheckedViolation[] = [];
  const notApplicable: NotApplicable[] = [];
  const byUrn = new Map(records.map((r) => [r.urn, r]));
  const providerOf = providerResolver(records, ctx);
  const describe = (urn: string | undefined) => {
    const r = urn ? byUrn.get(urn) : undefined;
    return r ? { type: r.type, name: r.name, urn: r.urn } : undefined;
  };
  let stackResources: PolicyResource[] | undefined;

  for (const p of policies) {
    let level = enforcementOf(p, ctx);
    if (level === "disabled") continue;
    if (level === "remediate") level = "mandatory";
    const reported = level;
    const getConfig = () => policyConfig(p.name, p.configSchema, ctx.config);
    const preview = (e: UnknownValueError, urn?: string) =>
      violations.push({
        policy: p.name,
        enforcementLevel: "advisory",
        resource: describe(urn),
        message: `can't run policy '${p.name}' during preview: ${e.message}`,
      });

    if (isResourcePolicy(p)) {
      if (!p.validateResource) {
        notApplicable.push({ policy: p.name, reason: "Policy does not implement validateResource" });
        continue;
      }
      const validations: ResourceValidation[] = Array.isArray(p.validateResource)
        ? p.validateResource
        : [p.validateResource];
      const onlyType = Array.isArray(p.validateResource) ? undefined : pulumiTypeOf(p.validateResource);
      for (const r of records) {
        if (onlyType !== undefined && r.type !== onlyType) continue;
        const report = (message: string) =>
          violations.push({ policy: p.name, enforcementLevel: reported, resource: describe(r.urn), message });
        for (const validation of validations) {
          try {
            await validation(resourceValidationArgs(r, providerOf(r), getConfig), report);
          } catch (e) {
            if (e instanceof NotApplicableError)
              notApplicable.push({ policy: p.name, urn: r.urn, reason: e.reason });
            else if (e instanceof UnknownValueError) preview(e, r.urn);
            else throw new PolicyError(p.name, r.urn, e);
          }
        }
      }
    } else if (isStackPolicy(p)) {
      const onlyType = pulumiTypeOf(p.validateStack);
      if (onlyType !== undefined && !records.some((r) => r.type === onlyType)) {
        notApplicable.push({
          policy: p.name,
          reason: `Policy only applies to resources of type '${onlyType}'`,
        });
        continue;
      }
      stackResources ??= stackPolicyResources(records, ctx);
      const args: StackValidationArgs = {
        resources: stackResources,
        stackTags: EMPTY_TAGS,
        getConfig: <T extends object>() => getConfig() as T,
        notApplicable: (reason?: string): never => {
          throw new NotApplicableError(reason);
        },
      };
      const report = (message: string, urn?: string) =>
        violations.push({ policy: p.name, enforcementLevel: reported, resource: describe(urn), message });
      try {
        await p.validateStack(args, report);
      } catch (e) {
        if (e instanceof NotApplicableError) notApplicable.push({ policy: p.name, reason: e.reason });
        else if (e instanceof UnknownValueError) preview(e);
        else throw new PolicyError(p.name, undefined, e);
      }
    }
  }
  return { violations, notApplicable };
}
