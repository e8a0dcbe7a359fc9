/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time and inclusive time by function.
 * How the program-scale figures were profiled, e.g. for 1,000 routes with shared targets:
 *
 *   node --stack-trace-limit=0 --cpu-prof --cpu-prof-dir=bench/out/prof \
 *     -r ts-node/register/transpile-only bench/programs/child.ts shared 100 10
 *   node -r ts-node/register/transpile-only bench/programs/cpuProfile.ts bench/out/prof/<file>.cpuprofile [top]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Milliseconds of self and inclusive time by `function file:line`, and the total. */
export function summarise(profile: Profile): {
  self: Map<string, number>;
  inclusive: Map<string, number>;
  total: number;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*node_modules\//, "~/").replace(/^.*?\/(components|bench|tests)\//, "$1/")}:${n.callFrame.lineNumber + 1}`;
  const sampled = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    sampled.set(id, (sampled.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000),
  );
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of sampled) {
    total += ms;
    const own = label(byId.get(id)!);
    self.set(own, (self.get(own) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    }
  }
  return { self, inclusive, total };
}

function main(): void {
  const [file, top = "30"] = process.argv.slice(2);
  if (!file) throw new Error("usage: cpuProfile.ts <file.cpuprofile> [top]");
  const { self, inclusive, total } = summarise(JSON.parse(readFileSync(file, "utf8")) as Profile);
  for (const [title, times] of [
    ["self", self],
    ["inclusive", inclusive],
  ] as const) {
    console.log(`\n${title} time (of ${total.toFixed(0)} ms sampled)`);
    for (const [name, ms] of [...times.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
      console.log(`${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name}`);
    }
  }
}

if (require.main === module) main();
