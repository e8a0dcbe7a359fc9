/**
 * The offline plan: `npm run plan -- [--stack <env>] [--json] [--explain <bucket> <key> [<event>]]`
 * (`npm start` is the dev stack). Evaluates the stack program under Pulumi mocks with that stack's
 * configuration — no AWS account, no Pulumi CLI — and prints the resources it would create grouped
 * by component, the route table, the policy pack's verdicts, and writes a Mermaid diagram of
 * buckets → routes → targets to docs/routes-<stack>.md.
 *
 * Exit status: 0 clean, 1 a mandatory policy is violated, 2 the program failed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { installMockEngine } from "../components/testing/mockEngine";
import { runLifecycle } from "./checker/lifecycle";
import { policies } from "../policies/all";
import { CheckedViolation, evaluatePolicies } from "./checker/policyRuntime";
import { buildPlan, explain, mermaidDiagram, Plan, PlanRoute, waitingLines } from "./planReport";
import { loadStackFiles } from "./stackFiles";

interface Args {
  stack: string;
  json: boolean;
  explain?: { bucket: string; key: string; event?: string };
  program: string;
  diagram: boolean;
}

const USAGE =
  "usage: npm run plan -- [--stack <env>] [--json] [--no-diagram] [--explain <bucket> <key> [<event>]] [<program.ts>]";

function parseArgs(argv: string[]): Args {
  const args: Args = { stack: "dev", json: false, program: "index.ts", diagram: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--stack") args.stack = argv[++i] ?? fail(`--stack needs a name. ${USAGE}`);
    else if (a === "--json") args.json = true;
    else if (a === "--no-diagram") args.diagram = false;
    else if (a === "--explain") {
      const bucket = argv[++i];
      const key = argv[++i];
      if (!bucket || key === undefined) fail(`--explain needs a bucket and a key. ${USAGE}`);
      const event = argv[i + 1] && !argv[i + 1].startsWith("--") ? argv[++i] : undefined;
      args.explain = { bucket, key, event };
    } else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith("--")) fail(`unknown option ${a}. ${USAGE}`);
    else args.program = a;
  }
  return args;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map(
      (r) =>
        "  " +
        r
          .map((cell, c) => pad(cell, widths[c]))
          .join("  ")
          .trimEnd(),
    )
    .join("\n");
}

function routeRows(routes: readonly PlanRoute[]): string[][] {
  return [
    ["bucket", "route", "events", "filter", "delivery", "target"],
    ...routes.map((r) => [
      r.bucket,
      r.route,
      r.events.join(", "),
      [r.prefix ? `${r.prefix}…` : "", r.suffix ? `…${r.suffix}` : ""].filter(Boolean).join(" ") || "(all)",
      r.delivery +
        (r.mode === "shared" ? " (shared)" : "") +
        (r.reroutedFrom ? ` (overlaps ${r.reroutedFrom})` : ""),
      r.target,
    ]),
  ];
}

function printPlan(
  stack: string,
  plan: Plan,
  notes: string[],
  violations: CheckedViolation[],
  diagramFile?: string,
): void {
  console.log(`Plan of stack "${stack}" — offline (Pulumi mocks): no AWS account, no Pulumi CLI.\n`);
  for (const n of notes) console.log(`note: ${n}`);
  if (notes.length) console.log("");
  console.log(`Resources: ${plan.resourceCount} to create, in ${plan.groups.length} components\n`);
  for (const g of plan.groups) {
    const counts = new Map<string, number>();
    for (const r of g.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    const summary = [...counts.entries()].map(([t, n]) => (n > 1 ? `${n} ${t}` : t)).join(", ");
    console.log(`  ${g.type} "${g.name}" (${g.resources.length}): ${summary}`);
  }
  console.log(`\nRoutes: ${plan.routes.length}\n`);
  console.log(table(routeRows(plan.routes)));
  for (const line of waitingLines(plan.routes)) console.log(line);
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  console.log(
    `\nPolicy pack (${policies.length} policies): ${mandatory} mandatory, ${violations.length - mandatory} advisory violations`,
  );
  for (const v of violations) {
    const where = v.resource ? `${v.resource.type.split(":").pop()} "${v.resource.name}"` : "the stack";
    console.log(`  [${v.enforcementLevel}] ${v.policy} — ${where}: ${v.message}`);
  }
  if (diagramFile) console.log(`\nDiagram: ${diagramFile}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const root = resolve(__dirname, "..");
  let files;
  try {
    files = loadStackFiles(root, args.stack);
  } catch (e) {
    fail((e as Error).message);
  }
  const recorder = installMockEngine({
    project: files.project,
    stack: args.stack,
    config: files.config,
    secretKeys: files.secretKeys,
  });
  const program = resolve(root, args.program);
  // Loaded only now, inside the stack and after the mocks are installed, as Pulumi's host does;
  // then the program's beforeExit phase, where @pulumi/aws's mixins declare their notifications.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const run = await runLifecycle(recorder, () => require(program));
  if (run.errors.length > 0) {
    console.error(`The program ${args.program} failed for stack "${args.stack}":`);
    for (const e of run.errors) console.error(`  ${e.message}`);
    process.exit(2);
  }
  const plan = buildPlan(run.resources);
  const region =
    typeof files.config["aws:region"] === "string" ? (files.config["aws:region"] as string) : "us-east-1";
  const { violations } = await evaluatePolicies(policies, run.resources, {
    project: files.project,
    stack: args.stack,
    region,
  });
  const mandatory = violations.some((v) => v.enforcementLevel === "mandatory");

  if (args.explain) {
    const { bucket, key, event } = args.explain;
    let verdicts;
    try {
      verdicts = explain(plan.routes, bucket, key, event);
    } catch (e) {
      fail((e as Error).message);
    }
    if (args.json) {
      console.log(JSON.stringify({ bucket, key, event: event ?? "s3:ObjectCreated:Put", verdicts }, null, 2));
      return;
    }
    console.log(`${event ?? "s3:ObjectCreated:Put"} on "${key}" in bucket "${bucket}":`);
    for (const v of verdicts) {
      console.log(
        `  ${v.reaches ? "→ reaches" : "  skips  "} ${v.route.target} via route "${v.route.route}": ${v.why}`,
      );
    }
    const reached = verdicts.filter((v) => v.reaches).length;
    console.log(reached ? `${reached} target(s) reached.` : "No target reached.");
    return;
  }

  let diagramFile: string | undefined;
  if (args.diagram) {
    const dir = join(root, "docs");
    mkdirSync(dir, { recursive: true });
    diagramFile = join("docs", `routes-${args.stack}.md`);
    writeFileSync(
      join(root, diagramFile),
      mermaidDiagram(plan.routes, `Routes of stack "${args.stack}"`, run.resources),
    );
  }
  if (args.json) {
    console.log(
      JSON.stringify(
        {
          stack: args.stack,
          notes: files.notes,
          resources: run.resources
            .filter((r) => r.custom)
            .map((r) => ({
              type: r.type,
              name: r.name,
              parent: r.parent,
              protect: r.protect,
              dependencies: r.dependencies,
              inputs: r.inputs,
            })),
          groups: plan.groups,
          routes: plan.routes,
          violations,
          diagram: diagramFile,
        },
        null,
        2,
      ),
    );
    process.exitCode = mandatory ? 1 : 0;
    return;
  }
  printPlan(args.stack, plan, files.notes, violations, diagramFile);
  process.exitCode = mandatory ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(2);
});
