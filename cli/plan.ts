/**
 * `s3-event-routes plan`: the offline plan of a project's stack. Evaluates the program under Pulumi
 * mocks with that stack's configuration — no AWS account, no Pulumi CLI — and prints the resources
 * it would create grouped by component, the route table, the policy pack's verdicts, and writes a
 * Mermaid diagram of buckets → routes → targets → subscribers, consumers and dead-letter queues.
 *
 * Exit status: 0 clean, 1 a mandatory policy is violated, 2 the program failed or the arguments are wrong.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import type { RecordedResource } from "../components/testing/mockEngine";
import type { Policies } from "@pulumi/policy";
import { CommandSpec, ParsedArgs, stringOption, withCommonOptions } from "./args";
import { withoutAssetContents } from "./assetSummary";
import type { CheckedViolation } from "./checker/policyRuntime";
import type * as PolicyRuntime from "./checker/policyRuntime";
import { Command, err, out, progress } from "./command";
import { evaluateWorkspace } from "./evaluate";
import { assertWritable } from "./packageRoot";
import { buildPlan, mermaidDiagram, Plan, PlanRoute, waitingLines } from "./planReport";
import { openWorkspace, Workspace } from "./workspace";

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
  violations: CheckedViolation[],
  policyCount: number,
  diagramFile?: string,
): void {
  out(`Plan of stack "${stack}" — offline (Pulumi mocks): no AWS account, no Pulumi CLI.\n`);
  out(`Resources: ${plan.resourceCount} to create, in ${plan.groups.length} components\n`);
  for (const g of plan.groups) {
    const counts = new Map<string, number>();
    for (const r of g.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    const summary = [...counts.entries()].map(([t, n]) => (n > 1 ? `${n} ${t}` : t)).join(", ");
    out(`  ${g.type} "${g.name}" (${g.resources.length}): ${summary}`);
  }
  out(`\nRoutes: ${plan.routes.length}\n`);
  out(plan.routes.length ? table(routeRows(plan.routes)) : "  (no S3 event routes in this stack)");
  for (const line of waitingLines(plan.routes)) out(line);
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  out(
    `\nPolicy pack (${policyCount} policies): ${mandatory} mandatory, ${violations.length - mandatory} advisory violations`,
  );
  for (const v of violations) {
    const where = v.resource ? `${v.resource.type.split(":").pop()} "${v.resource.name}"` : "the stack";
    out(`  [${v.enforcementLevel}] ${v.policy} — ${where}: ${v.message}`);
  }
  if (diagramFile) out(`\nDiagram: ${diagramFile}`);
}

/** A project's stack, evaluated and checked: what `plan` and `explain` start from. */
export interface PlannedStack {
  /** The project and stack. */
  workspace: Workspace;
  /** Every registration. */
  resources: RecordedResource[];
  /** Resources by component, and the routes. */
  plan: Plan;
  /** The policy pack's verdicts. */
  violations: CheckedViolation[];
  /** How many policies the pack has. */
  policyCount: number;
}

/** The options `plan` and `explain` share. */
export const PROGRAM_OPTION = {
  name: "program",
  value: "<file>",
  doc: "the program to run instead of the project's entry point (Pulumi.yaml main, else index.ts)",
};

/**
 * Opens the project `--cwd`/`--stack`/`--program` name, evaluates it offline and runs the policy pack.
 *
 * @throws Error (or ProgramError) in a sentence naming what is at fault.
 */
export async function planStack(
  args: ParsedArgs,
  program = stringOption(args, "program"),
): Promise<PlannedStack> {
  const workspace = openWorkspace({
    cwd: stringOption(args, "cwd"),
    stack: stringOption(args, "stack"),
    program,
  });
  for (const n of workspace.notes) err(`note: ${n}`);
  if (workspace.project.nodeArgs.length > 0)
    err(
      `note: Pulumi.yaml runtime.options.nodeargs "${workspace.project.nodeArgs.join(" ")}" apply to a separate Node.js process; ` +
        "the plan runs the program in its own process without them (the check command applies them).",
    );
  const shown = relative(process.cwd(), workspace.project.entry) || workspace.project.entry;
  // (evaluateWorkspace moves the process into the project directory: `shown` is from where the user is.)
  const done = progress(`evaluating ${shown} for stack "${workspace.stack}" offline`);
  let resources: RecordedResource[];
  try {
    ({ resources } = await evaluateWorkspace(workspace));
  } finally {
    done();
  }
  // Loaded after the program's own @pulumi/pulumi is in place (see evaluateWorkspace).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { evaluatePolicies } = require("./checker/policyRuntime") as typeof PolicyRuntime;
  const { policies } = require("../policies/all") as { policies: Policies };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { violations } = await evaluatePolicies(policies, resources, {
    project: workspace.files.project,
    stack: workspace.stack,
    region: workspace.region,
  });
  return { workspace, resources, plan: buildPlan(resources), violations, policyCount: policies.length };
}

const spec: CommandSpec = withCommonOptions({
  name: "plan",
  description:
    "Runs the project's program under Pulumi mocks with the stack's configuration (Pulumi.yaml defaults under\n" +
    "Pulumi.<stack>.yaml; secrets stand in as placeholders) - no AWS account, no Pulumi CLI - and prints the\n" +
    "resources it would create by component, the route table and the policy pack's verdicts. It writes a Mermaid\n" +
    "diagram of buckets, routes, targets, subscribers, consumers and dead-letter queues.",
  positionals: [],
  options: [
    { name: "json", doc: "print the plan as JSON (assets and archives as hash, size and entries)" },
    {
      name: "diagram",
      value: "<file>",
      doc: "where to write the Mermaid diagram; default docs/routes-<stack>.md in the project",
    },
    { name: "no-diagram", doc: "write no diagram" },
    PROGRAM_OPTION,
  ],
  epilogue:
    "Exit status: 0 no mandatory violation, 1 a mandatory policy is violated, 2 the program failed or the arguments are wrong.",
});

async function run(args: ParsedArgs): Promise<number> {
  if (args.options["no-diagram"] && args.options.diagram !== undefined)
    throw new Error("--diagram and --no-diagram contradict each other: pass one.");
  // Paths as the user gave them, from --cwd or where the user is (the program then runs from its project).
  const here = process.cwd();
  const given = stringOption(args, "diagram");
  const givenDiagram =
    given === undefined ? undefined : resolve(here, stringOption(args, "cwd") ?? ".", given);
  const { workspace, resources, plan, violations, policyCount } = await planStack(args);
  const mandatory = violations.some((v) => v.enforcementLevel === "mandatory");
  let diagramFile: string | undefined;
  if (!args.options["no-diagram"]) {
    diagramFile = givenDiagram ?? resolve(workspace.dir, "docs", `routes-${workspace.stack}.md`);
    assertWritable(diagramFile, workspace.dir, "--diagram");
    mkdirSync(dirname(diagramFile), { recursive: true });
    writeFileSync(
      diagramFile,
      mermaidDiagram(plan.routes, `Routes of stack "${workspace.stack}"`, resources),
    );
  }
  const shownDiagram = diagramFile && (relative(here, diagramFile) || diagramFile);
  if (args.options.json) {
    out(
      JSON.stringify(
        {
          project: workspace.files.project,
          stack: workspace.stack,
          program: workspace.project.entry,
          notes: workspace.notes,
          resources: resources
            .filter((r) => r.custom)
            .map((r) => ({
              type: r.type,
              name: r.name,
              parent: r.parent,
              protect: r.protect,
              dependencies: r.dependencies,
              inputs: withoutAssetContents(r.inputs),
            })),
          groups: plan.groups,
          routes: plan.routes,
          violations,
          diagram: diagramFile ?? null,
        },
        null,
        2,
      ),
    );
  } else printPlan(workspace.stack, plan, violations, policyCount, shownDiagram);
  return mandatory ? 1 : 0;
}

/** `s3-event-routes plan`. */
export const planCommand: Command = { spec, run };
