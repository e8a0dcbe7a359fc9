/**
 * The deploy graph of a recorded program: custom resources (components are not deployed) and the
 * edges the engine orders them by — explicit dependencies and property dependencies. A parent is
 * not a dependency. A dependency on a component stands for every custom resource under it.
 */
import type { RecordedResource } from "../../components/testing/mockEngine";

/** What the graph benchmark reports of one program. */
export interface GraphStats {
  /** Custom resources. */
  custom: number;
  /** Custom resources by type token. */
  byType: Record<string, number>;
  /** Resources in the longest chain of dependent custom resources (1 = no dependencies). */
  depth: number;
  /** That chain, first to deploy first: `type name` of each resource. */
  chain: string[];
  /** Every distinct chain of that length, as short type names joined by ` → `. */
  deepestShapes: string[];
}

/** Computes {@link GraphStats} from the registrations of one program. */
export function graphStats(records: readonly RecordedResource[]): GraphStats {
  const byUrn = new Map(records.map((r) => [r.urn, r]));
  const children = new Map<string, RecordedResource[]>();
  for (const r of records) {
    if (!r.parent) continue;
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const customUnder = (urn: string, out: Set<string>): void => {
    for (const child of children.get(urn) ?? []) {
      if (child.custom) out.add(child.urn);
      else customUnder(child.urn, out);
    }
  };
  const edges = new Map<string, string[]>();
  for (const r of records) {
    if (!r.custom) continue;
    const deps = new Set<string>();
    for (const urn of [...r.dependencies, ...Object.values(r.propertyDependencies).flat()]) {
      const dep = byUrn.get(urn);
      if (!dep || dep.urn === r.urn) continue;
      if (dep.custom) deps.add(dep.urn);
      else customUnder(dep.urn, deps);
    }
    edges.set(r.urn, [...deps]);
  }
  // Longest path, counted in resources, by memoised depth-first search (the graph is acyclic:
  // the engine would refuse a cycle before the benchmark sees it).
  const longest = new Map<string, string[]>();
  const chainTo = (urn: string): string[] => {
    const known = longest.get(urn);
    if (known) return known;
    let best: string[] = [];
    for (const dep of edges.get(urn) ?? []) {
      const chain = chainTo(dep);
      if (chain.length > best.length) best = chain;
    }
    const chain = [...best, urn];
    longest.set(urn, chain);
    return chain;
  };
  let deepest: string[] = [];
  const byType: Record<string, number> = {};
  for (const urn of edges.keys()) {
    const chain = chainTo(urn);
    if (chain.length > deepest.length) deepest = chain;
    const type = byUrn.get(urn)!.type;
    byType[type] = (byType[type] ?? 0) + 1;
  }
  // Every chain of the greatest length, by type: walk back along dependencies one level shorter.
  const shapes = new Map<string, Set<string>>();
  const shapesTo = (urn: string): Set<string> => {
    const known = shapes.get(urn);
    if (known) return known;
    const here = shortType(byUrn.get(urn)!.type);
    const length = chainTo(urn).length;
    const out = new Set<string>();
    for (const dep of edges.get(urn) ?? []) {
      if (chainTo(dep).length !== length - 1) continue;
      for (const shape of shapesTo(dep)) out.add(`${shape} → ${here}`);
    }
    if (out.size === 0) out.add(here);
    shapes.set(urn, out);
    return out;
  };
  const deepestShapes = new Set<string>();
  for (const urn of edges.keys()) {
    if (chainTo(urn).length === deepest.length) for (const shape of shapesTo(urn)) deepestShapes.add(shape);
  }
  return {
    custom: edges.size,
    byType,
    depth: deepest.length,
    deepestShapes: [...deepestShapes].sort(),
    chain: deepest.map((urn) => {
      const r = byUrn.get(urn)!;
      return `${shortType(r.type)} ${r.name}`;
    }),
  };
}

/** `aws:lambda/permission:Permission` → `lambda.Permission`. */
export function shortType(type: string): string {
  const [pkg, module, name] = type.split(":");
  return pkg === "aws" ? `${module.split("/")[0]}.${name}` : type;
}
