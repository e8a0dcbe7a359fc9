/**
 * A stack as the stack policies read it: records by URN and type, and the links between them.
 *
 * Links are found the way they hold both in `pulumi preview` and after deploy: first through the
 * property dependencies the engine records (a notification's `queues` depends on the queue it
 * names, even when the queue's ARN is not known yet), then, when the value is known, by matching it
 * against the identifiers (ARN, name, id, URL) of the candidates.
 */
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { isUnknown, recordOfPolicyResource, ResourceRecord, str } from "./records";
import { BUCKET_TYPES } from "./types";

/** A violation a stack rule found: the message and the resource it is reported against. */
export interface Violation {
  /** What is wrong, naming the resource and the fix. */
  message: string;
  /** The URN of the resource at fault. */
  urn: string;
}

const ID_FIELDS = ["arn", "id", "name", "bucket", "url", "keyId"] as const;

/** The function name an unqualified or qualified Lambda ARN names, e.g. `f` for `arn:aws:lambda:r:a:function:f:live`. */
export function lambdaFunctionName(ref: string): string | undefined {
  const m = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(ref);
  return m ? m[1] : undefined;
}

/** An index over a stack's records. */
export class StackIndex {
  /** Every record, in registration order. */
  readonly resources: readonly ResourceRecord[];
  private readonly byUrn = new Map<string, ResourceRecord>();
  private readonly byType = new Map<string, ResourceRecord[]>();
  private readonly closures = new Map<string, Set<string>>();
  private readonly referrerIndex = new Map<string, Map<string, ResourceRecord[]>>();
  private identifierIndex: Map<string, ResourceRecord[]> | undefined;

  constructor(resources: readonly ResourceRecord[]) {
    this.resources = resources;
    for (const r of resources) {
      this.byUrn.set(r.urn, r);
      const list = this.byType.get(r.type);
      if (list) list.push(r);
      else this.byType.set(r.type, [r]);
    }
  }

  /** The record with this URN. */
  get(urn: string): ResourceRecord | undefined {
    return this.byUrn.get(urn);
  }

  /** Every record of the given types (by type, then in registration order). */
  ofType(...types: readonly string[]): ResourceRecord[] {
    if (types.length === 1) return this.byType.get(types[0]) ?? [];
    return types.flatMap((t) => this.byType.get(t) ?? []);
  }

  /**
   * The records of type `type` whose property `prop` refers (see {@link resolve}) to `target`, one
   * of `targetTypes`: the access blocks of a bucket, the policies of a queue, the invoke configs
   * of a function. Indexed on first use, so a policy asking for each target stays linear.
   */
  referrers(
    target: ResourceRecord,
    type: string,
    prop: string,
    targetTypes: readonly string[],
  ): ResourceRecord[] {
    const key = `${type}|${prop}|${targetTypes.join(",")}`;
    let index = this.referrerIndex.get(key);
    if (!index) {
      index = new Map();
      for (const r of this.ofType(type)) {
        for (const t of this.resolve(r, prop, r.props[prop], targetTypes)) {
          const list = index.get(t.urn);
          if (list) list.push(r);
          else index.set(t.urn, [r]);
        }
      }
      this.referrerIndex.set(key, index);
    }
    return index.get(target.urn) ?? [];
  }

  /** True when `r` depends on `urn`, directly or through the resources it depends on. */
  dependsOn(r: ResourceRecord, urn: string): boolean {
    return this.closure(r.urn).has(urn);
  }

  private closure(urn: string): Set<string> {
    const cached = this.closures.get(urn);
    if (cached) return cached;
    const seen = new Set<string>();
    const stack = [...(this.byUrn.get(urn)?.dependencies ?? [])];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      const known = this.closures.get(next);
      if (known) known.forEach((u) => seen.add(u));
      else stack.push(...(this.byUrn.get(next)?.dependencies ?? []));
    }
    this.closures.set(urn, seen);
    return seen;
  }

  /** The resources of the given types that property `prop` of `r` depends on. */
  referenced(r: ResourceRecord, prop: string, types: readonly string[]): ResourceRecord[] {
    const out: ResourceRecord[] = [];
    for (const urn of r.propertyDependencies[prop] ?? []) {
      const d = this.byUrn.get(urn);
      if (d && types.includes(d.type) && !out.includes(d)) out.push(d);
    }
    return out;
  }

  /**
   * The resources of the given types that `value` (read from property `prop` of `r`) refers to: the
   * property's dependencies whose identifiers match the value, else any record of those types whose
   * identifiers match it; when the value is not known yet, all of the property's dependencies of
   * those types. None when a known value names nothing in the stack.
   */
  resolve(r: ResourceRecord, prop: string, value: unknown, types: readonly string[]): ResourceRecord[] {
    const candidates = this.referenced(r, prop, types);
    if (isUnknown(value)) return candidates;
    const v = str(value);
    if (v === undefined || v === "") return [];
    const exact = candidates.filter((c) => identifies(c, v));
    if (exact.length > 0) return exact;
    return this.identified(v).filter((c) => types.includes(c.type));
  }

  /** The records that `value` identifies (by ARN, id, name, bucket name, URL or key id). */
  private identified(value: string): ResourceRecord[] {
    if (!this.identifierIndex) {
      this.identifierIndex = new Map();
      for (const r of this.resources) {
        for (const id of identifiersOf(r)) {
          const list = this.identifierIndex.get(id);
          if (!list) this.identifierIndex.set(id, [r]);
          else if (!list.includes(r)) list.push(r);
        }
      }
    }
    const fnName = lambdaFunctionName(value);
    const hits = [
      ...(this.identifierIndex.get(value) ?? []),
      ...(fnName ? (this.identifierIndex.get(fnName) ?? []) : []),
    ];
    return [...new Set(hits)].filter((r) => identifies(r, value));
  }

  /** The in-stack bucket that property `prop` (default `bucket`) of `r` names, if any. */
  bucketOf(r: ResourceRecord, prop = "bucket"): ResourceRecord | undefined {
    return this.resolve(r, prop, r.props[prop], BUCKET_TYPES)[0];
  }
}

/** The identifiers of `r`: its ARN, id, name, bucket name, URL and key id, and a Lambda function's name from its ARN. */
function identifiersOf(r: ResourceRecord): string[] {
  const out: string[] = [];
  for (const f of ID_FIELDS) {
    const id = r.props[f];
    if (typeof id !== "string" || id === "") continue;
    out.push(id);
    const fnName = lambdaFunctionName(id);
    if (fnName) out.push(fnName);
  }
  return out;
}

/** True when `value` is one of the identifiers (ARN, id, name, bucket name, URL, key id) of `r`. */
export function identifies(r: ResourceRecord, value: string): boolean {
  const fnName = lambdaFunctionName(value);
  for (const f of ID_FIELDS) {
    const id = r.props[f];
    if (typeof id !== "string" || id === "") continue;
    if (id === value) return true;
    if (fnName !== undefined && (id === fnName || lambdaFunctionName(id) === fnName)) return true;
  }
  return false;
}

const cache = new WeakMap<readonly PolicyResource[], StackIndex>();

/**
 * The index of a stack policy's resources. Built once per `args.resources` array, so that policies
 * evaluated over the same array (as the offline checker does) share it.
 */
export function stackOf(args: Pick<StackValidationArgs, "resources">): StackIndex {
  const hit = cache.get(args.resources);
  if (hit) return hit;
  const index = new StackIndex(args.resources.map(recordOfPolicyResource));
  cache.set(args.resources, index);
  return index;
}
