/**
 * Program-scale benchmark, run on demand (not a test):
 *
 *   node -r ts-node/register/transpile-only bench/programScale.ts
 *
 * Declares stacks of 10, 100 and 1,000 routes over 1, 10 and 100 buckets (10 routes a bucket,
 * targets rotating Lambda → SQS → SNS, no two routes overlapping) and runs each under the mock
 * engine (components/testing/mockEngine.ts) in a fresh node process, rounds interleaved, best of
 * three. Three programs declare the same routes:
 *
 * - `hand-written`: directly with @pulumi/aws (bench/programs/handWritten.ts): the baseline;
 * - `ours, target per route`: an EventBucket per bucket, a target component per route;
 * - `ours, shared targets`: an EventBucket per bucket, one Lambda, queue and topic target per bucket.
 *
 * Each runs with `--stack-trace-limit=0` (what Pulumi.yaml passes to real runs) and with Node's
 * default limit; without the flag, 1,000 routes cost minutes, so that size runs once, and only
 * the baseline and the shared shape. Time is from the start of the program to its last
 * registration (@pulumi/aws's lazy modules included, ts-node start-up and module loading not);
 * CPU is user + system time over the same span (steadier than wall time on a busy machine);
 * memory is the child's peak RSS (`process.resourceUsage().maxRSS`).
 */
import { cpus } from "node:os";
import { ChildResult } from "./programs/child";
import { fixed, NodeFlags, ratio, runChild, table } from "./programs/report";

const ROUTES_PER_BUCKET = 10;
const BUCKETS = [1, 10, 100];
const SIDES = [
  { id: "hand", label: "hand-written @pulumi/aws" },
  { id: "per-route", label: "ours, target per route" },
  { id: "shared", label: "ours, shared targets" },
] as const;
type Side = (typeof SIDES)[number]["id"];

/** What runs, how often: every size and program three times, except the slowest without the flag. */
interface Case {
  flags: NodeFlags;
  buckets: number;
  side: Side;
  runs: number;
}
const FLAGS: NodeFlags[] = ["--stack-trace-limit=0", "default"];
const CASES: Case[] = FLAGS.flatMap((flags) =>
  BUCKETS.flatMap((buckets) =>
    SIDES.flatMap(({ id }): Case[] => {
      if (flags === "default" && buckets === 100)
        return id === "per-route" ? [] : [{ flags, buckets, side: id, runs: 1 }];
      return [{ flags, buckets, side: id, runs: 3 }];
    }),
  ),
);

const key = (c: { flags: NodeFlags; buckets: number; side: Side }) => `${c.flags}/${c.buckets}/${c.side}`;

interface Best {
  time: ChildResult;
  cpuMs: number;
  maxRssMiB: number;
  runs: number;
}

function main(): void {
  console.log(
    `node ${process.version}, ${process.platform}-${process.arch}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}\n`,
  );
  const best = new Map<string, Best>();
  const started = Date.now();
  const rounds = Math.max(...CASES.map((c) => c.runs));
  for (let round = 0; round < rounds; round += 1) {
    for (const c of CASES.filter((x) => x.runs > round)) {
      const r = runChild([c.side, String(c.buckets), String(ROUTES_PER_BUCKET)], c.flags);
      const previous = best.get(key(c));
      best.set(key(c), {
        time: previous && previous.time.programMs <= r.programMs ? previous.time : r,
        cpuMs: Math.min(previous?.cpuMs ?? Infinity, r.cpuMs),
        maxRssMiB: Math.min(previous?.maxRssMiB ?? Infinity, r.maxRssMiB),
        runs: (previous?.runs ?? 0) + 1,
      });
    }
    console.error(
      `programScale: round ${round + 1}/${rounds} done after ${fixed((Date.now() - started) / 1000, 0)} s`,
    );
  }

  for (const flags of FLAGS) {
    const rows: (string | number)[][] = [
      [
        "routes / buckets",
        "program",
        "resources",
        "per route",
        "time ms",
        "vs hand",
        "CPU ms",
        "vs hand",
        "peak RSS MiB",
        "vs hand",
        "runs",
      ],
    ];
    for (const buckets of BUCKETS) {
      const routes = buckets * ROUTES_PER_BUCKET;
      const hand = best.get(key({ flags, buckets, side: "hand" }))!;
      for (const side of SIDES) {
        const b = best.get(key({ flags, buckets, side: side.id }));
        if (!b) {
          rows.push([`${routes} / ${buckets}`, side.label, ...Array<string>(8).fill("—"), 0]);
          continue;
        }
        rows.push([
          `${routes} / ${buckets}`,
          side.label,
          b.time.custom,
          fixed(b.time.custom / routes, 2),
          fixed(b.time.programMs, 0),
          ratio(b.time.programMs, hand.time.programMs),
          fixed(b.cpuMs, 0),
          ratio(b.cpuMs, hand.cpuMs),
          fixed(b.maxRssMiB, 0),
          ratio(b.maxRssMiB, hand.maxRssMiB),
          b.runs,
        ]);
      }
    }
    const title =
      flags === "default"
        ? "Node's default stack-trace limit (10)"
        : "`--stack-trace-limit=0` (as Pulumi.yaml runs the program)";
    console.log(`Program scale, ${title}: best of the runs shown, each a fresh process\n`);
    console.log(table(rows));
    console.log(
      `\n"vs hand": ours ÷ the hand-written program of the same size in this run (under 1.00x: less than hand-written).` +
        (flags === "default"
          ? ` "—": not run; without the flag a run of that size takes over a minute and would push the whole bench past ten minutes.`
          : ""),
    );
    console.log("");
  }

  const growth: (string | number)[][] = [
    [
      "program",
      "node options",
      ...BUCKETS.map((b) => `ms/route @${b * ROUTES_PER_BUCKET}`),
      "100→1,000 routes",
    ],
  ];
  for (const flags of FLAGS) {
    for (const side of SIDES) {
      const perRoute = BUCKETS.map((buckets) => {
        const b = best.get(key({ flags, buckets, side: side.id }));
        return b ? b.time.programMs / (buckets * ROUTES_PER_BUCKET) : undefined;
      });
      const [, at100, at1000] = perRoute;
      growth.push([
        side.label,
        flags,
        ...perRoute.map((v) => (v === undefined ? "—" : fixed(v, 2))),
        at100 !== undefined && at1000 !== undefined ? `${fixed((at1000 * 10) / at100, 1)}x time` : "—",
      ]);
    }
  }
  console.log("Growth (time per route; linear = 10.0x time for 10x the routes)\n");
  console.log(table(growth));
}

main();
