/**
 * Program-scale benchmark, run on demand (not a test):
 *
 *   node -r ts-node/register/transpile-only bench/programScale.ts
 *
 * Declares stacks of 10, 100 and 1,000 routes over 1, 10 and 100 buckets (10 routes a bucket,
 * targets rotating Lambda → SQS → SNS, no two routes overlapping) and runs each under the mock
 * engine (components/testing/mockEngine.ts) in a fresh node process, three rounds interleaved,
 * best of three. Three programs declare the same routes:
 *
 * - `hand-written`: directly with @pulumi/aws (bench/programs/handWritten.ts): the baseline;
 * - `ours, target per route`: an EventBucket per bucket, a target component per route;
 * - `ours, shared targets`: an EventBucket per bucket, one Lambda, queue and topic target per bucket.
 *
 * Each runs with Node's default stack-trace limit and with `--stack-trace-limit=0` (what
 * Pulumi.yaml passes to real runs). Time is from the start of the program to its last
 * registration (module loading and @pulumi/aws's lazy modules included, ts-node start-up not);
 * memory is the child's peak RSS (`process.resourceUsage().maxRSS`).
 */
import { cpus } from "node:os";
import { ChildResult } from "./programs/child";
import { fixed, NodeFlags, ratio, runChild, table } from "./programs/report";

const ROUNDS = 3;
const ROUTES_PER_BUCKET = 10;
const BUCKETS = [1, 10, 100];
const SIDES = [
  { id: "hand", label: "hand-written @pulumi/aws" },
  { id: "per-route", label: "ours, target per route" },
  { id: "shared", label: "ours, shared targets" },
] as const;
const FLAGS: NodeFlags[] = ["--stack-trace-limit=0", "default"];

type Key = `${string}/${number}/${NodeFlags}`;

function main(): void {
  console.log(
    `node ${process.version}, ${process.platform}-${process.arch}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}\n`,
  );
  const best = new Map<Key, ChildResult>();
  const rss = new Map<Key, number>();
  const started = Date.now();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const flags of FLAGS) {
      for (const buckets of BUCKETS) {
        for (const side of SIDES) {
          const key: Key = `${side.id}/${buckets}/${flags}`;
          const result = runChild([side.id, String(buckets), String(ROUTES_PER_BUCKET)], flags);
          const previous = best.get(key);
          if (!previous || result.programMs < previous.programMs) best.set(key, result);
          rss.set(key, Math.min(rss.get(key) ?? Infinity, result.maxRssMiB));
        }
      }
    }
    console.error(
      `programScale: round ${round + 1}/${ROUNDS} done after ${fixed((Date.now() - started) / 1000, 0)} s`,
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
        "ms/route",
        "time vs hand",
        "peak RSS MiB",
        "RSS vs hand",
      ],
    ];
    for (const buckets of BUCKETS) {
      const routes = buckets * ROUTES_PER_BUCKET;
      const hand = best.get(`hand/${buckets}/${flags}`)!;
      const handRss = rss.get(`hand/${buckets}/${flags}`)!;
      for (const side of SIDES) {
        const key: Key = `${side.id}/${buckets}/${flags}`;
        const r = best.get(key)!;
        const mib = rss.get(key)!;
        rows.push([
          `${routes} / ${buckets}`,
          side.label,
          r.custom,
          fixed(r.custom / routes, 2),
          fixed(r.programMs, 0),
          fixed(r.programMs / routes, 2),
          ratio(r.programMs, hand.programMs),
          fixed(mib, 0),
          ratio(mib, handRss),
        ]);
      }
    }
    const title =
      flags === "default"
        ? "Node's default stack-trace limit (10)"
        : "`--stack-trace-limit=0` (as Pulumi.yaml runs the program)";
    console.log(`Program scale, ${title}: best of ${ROUNDS} fresh processes\n`);
    console.log(table(rows));
    console.log("");
  }

  const growth: (string | number)[][] = [
    [
      "program",
      "node options",
      ...BUCKETS.map((b) => `ms/route @${b * ROUTES_PER_BUCKET}`),
      "time ×, 100→1,000",
    ],
  ];
  for (const flags of FLAGS) {
    for (const side of SIDES) {
      const perRoute = BUCKETS.map(
        (b) => best.get(`${side.id}/${b}/${flags}`)!.programMs / (b * ROUTES_PER_BUCKET),
      );
      const last = BUCKETS.length - 1;
      growth.push([
        side.label,
        flags,
        ...perRoute.map((v) => fixed(v, 2)),
        `${fixed((perRoute[last] * BUCKETS[last]) / (perRoute[last - 1] * BUCKETS[last - 1]), 1)}x`,
      ]);
    }
  }
  console.log("Growth (linear = 10.0x from 100 to 1,000 routes)\n");
  console.log(table(growth));
}

main();
