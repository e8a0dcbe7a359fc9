/**
 * Deploy-graph benchmark, run on demand (not a test):
 *
 *   node -r ts-node/register/transpile-only bench/deployGraph.ts
 *
 * Runs 1,000 routes over 100 buckets (bench/programs/) under the mock engine, one fresh process
 * per program, and reads the deploy graph from the recorded registrations: custom resources only
 * (components are not deployed), edges from explicit dependencies and property dependencies (a
 * parent is not a dependency; a dependency on a component stands for the custom resources under
 * it). Reports resources per route and the longest chain of dependent resources — the number of
 * create steps that must happen one after the other — against the hand-written baseline, which
 * has no dead-letter queues, log groups, async-invoke configs, keys or alarms. Our programs
 * include an Alarms component watching every bucket and target. The figures are counts, the same
 * in every run.
 */
import { GraphStats, shortType } from "./programs/graph";
import { fixed, ratio, runChild, table } from "./programs/report";

const BUCKETS = 100;
const ROUTES_PER_BUCKET = 10;
const ROUTES = BUCKETS * ROUTES_PER_BUCKET;
const AIM_PER_ROUTE = 2.5;
const AIM_DEPTH = 4;

const PROGRAMS = [
  { id: "hand", label: "hand-written @pulumi/aws (no DLQs, no alarms)", args: ["hand"] },
  { id: "per-route", label: "ours, target per route, alarms", args: ["per-route", "alarms"] },
  { id: "shared", label: "ours, shared targets, alarms", args: ["shared", "alarms"] },
  {
    id: "shared-named",
    label: "ours, shared targets, alarms, named buckets",
    args: ["shared", "alarms", "named"],
  },
] as const;

function main(): void {
  const stats = new Map<string, GraphStats>();
  for (const p of PROGRAMS) {
    const [side, ...options] = p.args;
    const result = runChild(
      [side, String(BUCKETS), String(ROUTES_PER_BUCKET), ...options, "graph"],
      "--stack-trace-limit=0",
    );
    stats.set(p.id, result.graph!);
  }
  const hand = stats.get("hand")!;

  const rows: (string | number)[][] = [
    [
      "program",
      "custom resources",
      "per route",
      "vs hand",
      `≤ ${AIM_PER_ROUTE}/route`,
      "longest chain",
      `≤ ${AIM_DEPTH}`,
    ],
  ];
  for (const p of PROGRAMS) {
    const s = stats.get(p.id)!;
    rows.push([
      p.label,
      s.custom,
      fixed(s.custom / ROUTES, 3),
      ratio(s.custom, hand.custom),
      s.custom <= AIM_PER_ROUTE * ROUTES ? "yes" : `no (+${s.custom - AIM_PER_ROUTE * ROUTES})`,
      s.depth,
      s.depth <= AIM_DEPTH ? "yes" : "no",
    ]);
  }
  console.log(
    `Deploy graph, ${ROUTES} routes over ${BUCKETS} buckets (custom resources; dependencies + property dependencies)\n`,
  );
  console.log(table(rows));

  const types = [
    ...new Set(PROGRAMS.slice(0, 3).flatMap((p) => Object.keys(stats.get(p.id)!.byType))),
  ].sort();
  const byType: (string | number)[][] = [
    ["resource type", ...PROGRAMS.slice(0, 3).map((p) => `${p.id} /route`)],
  ];
  for (const type of types) {
    byType.push([
      shortType(type),
      ...PROGRAMS.slice(0, 3).map((p) => fixed((stats.get(p.id)!.byType[type] ?? 0) / ROUTES, 3)),
    ]);
  }
  console.log("\nResources per route by type\n");
  console.log(table(byType));

  console.log("\nLongest chains (every distinct chain of the greatest length, by type)\n");
  for (const p of PROGRAMS) {
    const s = stats.get(p.id)!;
    console.log(`- ${p.label}: ${s.depth}`);
    for (const shape of s.deepestShapes) console.log(`  - ${shape}`);
  }
}

main();
