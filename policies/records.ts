/**
 * Plain resource records: what the policies read, whether CrossGuard or the offline checker runs them.
 *
 * CrossGuard hands a policy proxies that throw `UnknownValueError` when a value is not known yet
 * (during `pulumi preview`). The policies first copy what they are given into plain records, turning
 * each such value into {@link UNKNOWN}, so that every rule is a pure function of plain data that can
 * tell "absent" (a violation) from "not known yet" (nothing to say).
 */
import {
  PolicyProviderResource,
  PolicyResource,
  ResourceValidationArgs,
  UnknownValueError,
} from "@pulumi/policy";

/** Stands for a value the engine does not know yet (an output of a resource still to be created). */
export const UNKNOWN: unique symbol = Symbol("unknown until deploy");

/** The type of {@link UNKNOWN}. */
export type Unknown = typeof UNKNOWN;

/** The provider a resource is managed by, as CrossGuard describes it. */
export interface ProviderRecord {
  /** The provider type, e.g. `pulumi:providers:aws`. */
  type: string;
  /** The provider's logical name (`default_7_48_0` for a default provider). */
  name: string;
  /** The provider's URN. */
  urn: string;
  /** The provider's configuration (`region`, ...). */
  props: Record<string, unknown>;
}

/** One resource as the policies read it: plain data, URNs for links. */
export interface ResourceRecord {
  /** The type token, e.g. `aws:sqs/queue:Queue`. */
  type: string;
  /** The logical name. */
  name: string;
  /** The URN. */
  urn: string;
  /** Inputs (resource policies) or outputs (stack policies); values not known yet are {@link UNKNOWN}. */
  props: Record<string, unknown>;
  /** The parent's URN. */
  parent?: string;
  /** The provider, when known. */
  provider?: ProviderRecord;
  /** URNs of the resources this one depends on. Empty for resource policies (CrossGuard gives none). */
  dependencies: string[];
  /** For each input property, URNs of the resources it depends on. */
  propertyDependencies: Record<string, string[]>;
}

/**
 * Copies a value read from CrossGuard (possibly an unknown-checking proxy) into plain data, turning
 * values not known yet into {@link UNKNOWN}. Plain values come back as equal plain copies.
 */
export function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(plain(read(value, i)));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = plain(read(value as Record<string, unknown>, key));
  return out;
}

function read(container: object, key: string | number): unknown {
  try {
    return (container as Record<string | number, unknown>)[key];
  } catch (e) {
    if (e instanceof UnknownValueError) return UNKNOWN;
    throw e;
  }
}

function plainProps(value: unknown): Record<string, unknown> {
  const copy = plain(value);
  return copy && typeof copy === "object" && !Array.isArray(copy) ? (copy as Record<string, unknown>) : {};
}

function providerRecord(p: PolicyProviderResource | undefined): ProviderRecord | undefined {
  return p ? { type: p.type, name: p.name, urn: p.urn, props: plainProps(p.props) } : undefined;
}

/** The record of the resource a resource policy is validating (no dependencies: CrossGuard gives none). */
export function recordOfArgs(args: ResourceValidationArgs): ResourceRecord {
  return {
    type: args.type,
    name: args.name,
    urn: args.urn,
    props: plainProps(args.props),
    parent: args.opts?.parent,
    provider: providerRecord(args.provider),
    dependencies: [],
    propertyDependencies: {},
  };
}

/** The record of one resource of a stack policy's `args.resources`. */
export function recordOfPolicyResource(r: PolicyResource): ResourceRecord {
  const propertyDependencies: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(r.propertyDependencies ?? {}))
    propertyDependencies[k] = v.map((d) => d.urn);
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: plainProps(r.props),
    parent: r.parent?.urn,
    provider: providerRecord(r.provider),
    dependencies: (r.dependencies ?? []).map((d) => d.urn),
    propertyDependencies,
  };
}

/** True when `v` is {@link UNKNOWN}. */
export function isUnknown(v: unknown): v is Unknown {
  return v === UNKNOWN;
}

/** `v` when it is a (known) string, else undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** `v` when it is a (known) number, or a string holding one; else undefined. */
export function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** `v` as a plain object, or undefined when it is not one (absent, unknown, a list, a scalar). */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** `v` as a list, or an empty list when it is not one. */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** True when a value is absent: undefined, null or the empty string. An unknown value is not absent. */
export function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || v === "";
}

/** Reads a nested value; stops at the first absent or unknown step and returns it. */
export function at(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const key of path) {
    if (isUnknown(cur)) return UNKNOWN;
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/**
 * How messages name a resource: its class as a TypeScript user writes it and its logical name,
 * e.g. `aws.sqs.Queue "jobs"` for `aws:sqs/queue:Queue`.
 */
export function label(r: { type: string; name: string }): string {
  const m = /^([^:]+):([^/:]+)\/[^:]*:(.+)$/.exec(r.type);
  const cls = m ? `${m[1]}.${m[2]}.${m[3]}` : r.type;
  return `${cls} "${r.name}"`;
}

/** The region a resource is managed in: its own `region`, else its provider's; undefined when not known. */
export function regionOf(r: ResourceRecord): string | undefined {
  const own = r.props.region;
  if (typeof own === "string" && own !== "") return own;
  if (isUnknown(own)) return undefined;
  return str(r.provider?.props.region) || undefined;
}

/** The region field of an ARN (`arn:partition:service:region:account:resource`), if it has one. */
export function arnRegion(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts[0] === "arn" && parts.length >= 6 && parts[3] !== "" ? parts[3] : undefined;
}
