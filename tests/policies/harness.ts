/**
 * Engine-free policy testing: hand-written resource records, evaluated through the checker's
 * stand-in for the CrossGuard runtime (no mock engine, no Pulumi CLI).
 */
import type {
  Policy,
  PolicyPackConfig,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { RecordedResource } from "../../components/testing/mockEngine";
import { CheckedViolation, evaluatePolicies, NotApplicable } from "../../cli/checker/policyRuntime";

/** The stack the records belong to. */
export const CTX = { project: "fixtures", stack: "test", region: "us-east-1", awsVersion: "7.48.0" };

/** Options of {@link res}. */
export interface ResOptions {
  /** Explicit dependencies (on top of the property dependencies). */
  dependsOn?: RecordedResource[];
  /** The resources each property depends on. */
  propertyDependencies?: Record<string, RecordedResource[]>;
  /** An explicit provider resource. */
  provider?: RecordedResource;
  /** Paths of the inputs that are secret. */
  secretInputs?: string[];
  /** Outputs beyond the inputs (ARNs, names); state is inputs plus these. */
  outputs?: Record<string, unknown>;
  /** Parent resource. */
  parent?: RecordedResource;
}

/** A recorded resource, as the mock engine would record it. */
export function res(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  opts: ResOptions = {},
): RecordedResource {
  const propertyDependencies: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(opts.propertyDependencies ?? {}))
    propertyDependencies[k] = v.map((r) => r.urn);
  const deps = [...(opts.dependsOn ?? []).map((r) => r.urn), ...Object.values(propertyDependencies).flat()];
  return {
    type,
    name,
    urn: `urn:pulumi:${CTX.stack}::${CTX.project}::${type}::${name}`,
    parent: opts.parent?.urn,
    provider: opts.provider ? `${opts.provider.urn}::${opts.provider.name}-id` : undefined,
    custom: true,
    inputs: inputs,
    secretInputs: opts.secretInputs ?? [],
    dependencies: [...new Set(deps)],
    propertyDependencies,
    protect: false,
    state: { ...inputs, ...(opts.outputs ?? {}) },
  };
}

/** Sets an input (and the matching output) of a record, at a dotted path. */
export function set(r: RecordedResource, path: string, value: unknown): void {
  for (const target of [r.inputs, r.state]) {
    const keys = path.split(".");
    let cur = target as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) {
      if (cur[k] === null || typeof cur[k] !== "object") cur[k] = {};
      cur = cur[k] as Record<string, unknown>;
    }
    if (value === undefined) delete cur[keys[keys.length - 1]];
    else cur[keys[keys.length - 1]] = value;
  }
}

/** The first record with this name. */
export function named(records: readonly RecordedResource[], name: string): RecordedResource {
  const r = records.find((x) => x.name === name);
  if (!r) throw new Error(`no record named "${name}" (have ${records.map((x) => x.name).join(", ")})`);
  return r;
}

/** Evaluates one policy on the records: its violations and not-applicable notes. */
export async function evaluate(
  policy: ResourceValidationPolicy | StackValidationPolicy,
  records: readonly RecordedResource[],
  config?: PolicyPackConfig,
): Promise<{ violations: CheckedViolation[]; notApplicable: NotApplicable[] }> {
  return await evaluatePolicies([policy], records, { ...CTX, config });
}

/** The messages one policy reports on the records. */
export async function messages(
  policy: ResourceValidationPolicy | StackValidationPolicy,
  records: readonly RecordedResource[],
  config?: PolicyPackConfig,
): Promise<string[]> {
  return (await evaluate(policy, records, config)).violations.map((v) => v.message);
}

/** The names of the resources one policy reports against. */
export async function blamed(
  policy: ResourceValidationPolicy | StackValidationPolicy,
  records: readonly RecordedResource[],
): Promise<string[]> {
  return (await evaluate(policy, records)).violations.map((v) => v.resource?.name ?? "(stack)");
}

/** A policy's name, for `describe`. */
export function title(p: Policy): string {
  return `${p.name} (${p.enforcementLevel})`;
}

/** ARNs as the mocks produce them. */
export const ARN = {
  bucket: (name: string) => `arn:aws:s3:::${name}`,
  queue: (name: string, region = "us-east-1") => `arn:aws:sqs:${region}:123456789012:${name}`,
  queueUrl: (name: string, region = "us-east-1") =>
    `https://sqs.${region}.amazonaws.com/123456789012/${name}`,
  topic: (name: string, region = "us-east-1") => `arn:aws:sns:${region}:123456789012:${name}`,
  fn: (name: string, region = "us-east-1") => `arn:aws:lambda:${region}:123456789012:function:${name}`,
  key: (id: string) => `arn:aws:kms:us-east-1:123456789012:key/${id}`,
  role: (name: string) => `arn:aws:iam::123456789012:role/${name}`,
};

/** The account the tests use. */
export const ACCOUNT = "123456789012";
