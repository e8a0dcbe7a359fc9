/**
 * What the offline plan shows, computed from the recorded registrations of a program: resources
 * grouped by the component that owns them, the route table of every EventBucket (and bucket-level
 * routes), a Mermaid diagram of buckets → routes → targets → what consumes them (subscribers, queue
 * consumers) and where failures go (dead-letter queues), and `explain`: which targets an event
 * for a key would reach, and why, by S3's own matching rules (EventBridge's for EventBridge routes).
 */
import { eventBridgeFields, EventPattern, matchesPattern } from "../model/eventPattern";
import { ConcreteEventType, eventNameMatches, isS3EventType } from "../model/eventTypes";
import { describeFilter, filterMatchesKey } from "../model/objectFilter";
import type { RecordedResource } from "../components/testing/mockEngine";

/** One route, as the plan shows it. */
export interface PlanRoute {
  /** The bucket component's name (or the raw resource's name). */
  bucket: string;
  /** The bucket's physical name. */
  bucketName?: string;
  /** The route's name. */
  route: string;
  /** Event types (object routes) or CloudTrail calls (bucket routes). */
  events: string[];
  /** Key prefix, decoded. */
  prefix?: string;
  /** Key suffix, decoded. */
  suffix?: string;
  /** `native`, `eventbridge`, or `cloudtrail` for bucket-level routes. */
  delivery: string;
  /** The target's label. */
  target: string;
  /** How the bucket's notification is managed: `owned` (one BucketNotification) or `shared` (additive). */
  mode?: string;
  /** The route it was rerouted from overlapping, if any. */
  reroutedFrom?: string;
  /** The EventBridge pattern, for EventBridge routes. */
  pattern?: EventPattern;
  /** The logical name of its EventBridge rule, for bucket-level routes. */
  rule?: string;
  /**
   * The alarms on waiting that watch events of this route, by name: its rule's latency, the age
   * of every queue its events pass through, the delivery lag of every reference handler they reach.
   */
  waitingAlarms?: string[];
}

/** A component and the resources under it. */
export interface PlanGroup {
  /** The component's type token, or `stack` for resources declared at top level. */
  type: string;
  /** The component's name. */
  name: string;
  /** Custom resources under it (at any depth), by type, with their names. */
  resources: { type: string; name: string }[];
}

/** The whole plan. */
export interface Plan {
  /** Custom resources in all. */
  resourceCount: number;
  /** Components in all. */
  componentCount: number;
  /** Resources grouped by top-level component. */
  groups: PlanGroup[];
  /** Every route. */
  routes: PlanRoute[];
}

const shortType = (type: string) => type.split(":").pop() ?? type;

/** Builds the plan from the recorded registrations. */
export function buildPlan(resources: readonly RecordedResource[]): Plan {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const topOf = (r: RecordedResource): RecordedResource => {
    let current = r;
    while (current.parent && current.parent !== stack?.urn) {
      const parent = byUrn.get(current.parent);
      if (!parent) break;
      current = parent;
    }
    return current;
  };
  const groups = new Map<string, PlanGroup>();
  const loose: PlanGroup = { type: "stack", name: "(top level)", resources: [] };
  for (const r of resources) {
    if (r.type === "pulumi:pulumi:Stack") continue;
    const top = topOf(r);
    if (top.custom) {
      loose.resources.push({ type: shortType(r.type), name: r.name });
      continue;
    }
    if (!groups.has(top.urn))
      groups.set(top.urn, { type: shortType(top.type), name: top.name, resources: [] });
    if (r.custom) groups.get(top.urn)!.resources.push({ type: shortType(r.type), name: r.name });
  }
  const allGroups = [...groups.values(), ...(loose.resources.length ? [loose] : [])];
  return {
    resourceCount: resources.filter((r) => r.custom).length,
    componentCount: resources.filter((r) => !r.custom && r.type !== "pulumi:pulumi:Stack").length,
    groups: allGroups,
    routes: withWaitingAlarms(resources, collectRoutes(resources)),
  };
}

/**
 * Annotates each route with the alarms on waiting that watch it ({@link PlanRoute.waitingAlarms}),
 * following its events, through the recorded dependencies, from its rule (EventBridge and
 * CloudTrail routes) to its target and on through topics' subscriptions, queues' consumers and
 * workflows' functions.
 */
export function withWaitingAlarms(resources: readonly RecordedResource[], routes: PlanRoute[]): PlanRoute[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const of = (type: string) => resources.filter((r) => r.type === type);
  const deps = (r: RecordedResource, input: string) => r.propertyDependencies?.[input] ?? [];
  const dependents = (type: string, input: string, urn: string) =>
    of(type).filter((r) => deps(r, input).includes(urn));
  const ofTypeIn = (urns: string[], type: string) =>
    urns.flatMap((u) => (byUrn.get(u)?.type === type ? [byUrn.get(u)!] : []));
  const alarms = of("aws:cloudwatch/metricAlarm:MetricAlarm");
  // Rule latency and queue age alarms name their rule or queue; lag alarms name the handler (its logical name).
  const alarmsOn = (metric: string, urn: string) =>
    alarms
      .filter((a) => a.inputs.metricName === metric && deps(a, "dimensions").includes(urn))
      .map((a) => a.name);
  const lagOf = (fn: RecordedResource) =>
    alarms
      .filter(
        (a) =>
          a.inputs.metricName === "DeliveryLag" &&
          (a.inputs.dimensions as Record<string, unknown> | undefined)?.Target === fn.name,
      )
      .map((a) => a.name);
  const queueAlarms = (queue: RecordedResource): string[] => [
    ...alarmsOn("ApproximateAgeOfOldestMessage", queue.urn),
    ...dependents("aws:lambda/eventSourceMapping:EventSourceMapping", "eventSourceArn", queue.urn).flatMap(
      (m) => ofTypeIn(deps(m, "functionName"), "aws:lambda/function:Function").flatMap(lagOf),
    ),
  ];
  const targetAlarms = (label: string): string[] => {
    const m = /^(\w+) "(.+)"$/.exec(label);
    const named = (type: string) => resources.filter((r) => r.type === type && r.name === m?.[2]);
    switch (m?.[1]) {
      case "lambda":
        return named("aws:lambda/function:Function").flatMap(lagOf);
      case "sqs":
        return named("aws:sqs/queue:Queue").flatMap(queueAlarms);
      case "sns":
        return named("aws:sns/topic:Topic").flatMap((topic) =>
          dependents("aws:sns/topicSubscription:TopicSubscription", "topic", topic.urn).flatMap((sub) => [
            ...ofTypeIn(deps(sub, "endpoint"), "aws:sqs/queue:Queue").flatMap(queueAlarms),
            ...ofTypeIn(deps(sub, "endpoint"), "aws:lambda/function:Function").flatMap(lagOf),
          ]),
        );
      case "sfn":
        return named("aws:sfn/stateMachine:StateMachine").flatMap((machine) =>
          ofTypeIn(deps(machine, "definition"), "aws:lambda/function:Function").flatMap(lagOf),
        );
      default:
        return [];
    }
  };
  const rules = of("aws:cloudwatch/eventRule:EventRule");
  return routes.map((route) => {
    const rule =
      route.delivery === "native"
        ? undefined
        : rules.find((r) => r.name === (route.rule ?? `${route.bucket}-${route.route}`));
    const watching = [
      ...(rule ? alarmsOn("IngestionToInvocationStartLatency", rule.urn) : []),
      ...targetAlarms(route.target),
    ];
    return watching.length ? { ...route, waitingAlarms: [...new Set(watching)] } : route;
  });
}

/** Under the route table: which alarms on waiting watch each route (or that none does). */
export function waitingLines(routes: readonly PlanRoute[]): string[] {
  if (routes.length === 0) return [];
  const width = Math.max(...routes.map((r) => r.route.length));
  return [
    "",
    "Waiting watched by (rule latency, queue age, handler delivery lag):",
    "",
    ...routes.map(
      (r) => `  ${r.route.padEnd(width)}  ${r.waitingAlarms?.join(", ") ?? "(no alarm on waiting)"}`,
    ),
  ];
}

interface RouteRowOutput {
  bucket: string;
  route: string;
  events: string[];
  prefix?: string;
  suffix?: string;
  delivery: string;
  target: string;
  reroutedFrom?: string;
}

/** Routes of EventBucket and BucketEvents components, and of raw BucketNotifications outside them. */
export function collectRoutes(resources: readonly RecordedResource[]): PlanRoute[] {
  const routes: PlanRoute[] = [];
  const rules = new Map(
    resources.filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule").map((r) => [r.name, r]),
  );
  const ownedNotifications = new Set<string>();
  for (const r of resources) {
    if (r.type === "s3-event-routes:index:EventBucket" && r.outputs) {
      const rows = (r.outputs.routeTable as RouteRowOutput[] | undefined) ?? [];
      for (const row of rows) {
        const rule = rules.get(`${row.bucket}-${row.route}`);
        routes.push({
          ...row,
          bucketName: r.outputs.bucketName as string | undefined,
          mode: r.outputs.notificationMode as string | undefined,
          pattern:
            row.delivery === "eventbridge" && typeof rule?.inputs.eventPattern === "string"
              ? (JSON.parse(rule.inputs.eventPattern) as EventPattern)
              : undefined,
        });
      }
      ownedNotifications.add(`${r.name}-notification`);
    }
    if (r.type === "s3-event-routes:index:BucketEvents" && r.outputs) {
      const rows =
        (r.outputs.routes as { route: string; calls: string[]; buckets: string; target: string }[]) ?? [];
      for (const row of rows) {
        routes.push({
          bucket: row.buckets === "any" ? "(any bucket)" : row.buckets,
          route: row.route,
          events: row.calls,
          delivery: "cloudtrail",
          target: row.target,
          rule: `${r.name}-${row.route}`,
        });
      }
    }
  }
  // Raw notifications (a user's plain @pulumi/aws program).
  for (const r of resources) {
    if (r.type !== "aws:s3/bucketNotification:BucketNotification" || ownedNotifications.has(r.name)) continue;
    const kinds = [
      ["lambdaFunctions", "lambdaFunctionArn"],
      ["queues", "queueArn"],
      ["topics", "topicArn"],
    ] as const;
    for (const [list, arnField] of kinds) {
      const entries = (r.inputs[list] as Record<string, unknown>[] | undefined) ?? [];
      entries.forEach((e, i) =>
        routes.push({
          bucket: String(r.inputs.bucket ?? r.name),
          bucketName: r.inputs.bucket as string | undefined,
          route: (e.id as string | undefined) ?? `${list}[${i}]`,
          events: (e.events as string[]) ?? [],
          prefix: e.filterPrefix as string | undefined,
          suffix: e.filterSuffix as string | undefined,
          delivery: "native",
          target: String(e[arnField] ?? "?"),
        }),
      );
    }
  }
  return routes;
}

/** The verdict of one route for an event. */
export interface Explanation {
  /** The route. */
  route: PlanRoute;
  /** Whether the event reaches the route's target. */
  reaches: boolean;
  /** Why, in a sentence. */
  why: string;
}

/** A synthetic EventBridge event for a key and S3 event type, to test a pattern against. */
function bridgeEvent(bucket: string, key: string, eventType: ConcreteEventType): unknown {
  const fields = eventBridgeFields(eventType);
  if (!fields) return undefined;
  return {
    source: "aws.s3",
    "detail-type": fields.detailType,
    detail: { bucket: { name: bucket }, object: { key }, ...fields.detail },
  };
}

/**
 * Which targets an event for `key` in `bucket` would reach.
 *
 * @param bucket     the bucket component's name or the bucket's physical name.
 * @param key        the object key, decoded (as a user writes it).
 * @param eventType  a concrete S3 event type. Default `s3:ObjectCreated:Put`.
 * @throws Error when no route is on that bucket, or the event type is not concrete.
 */
export function explain(
  routes: readonly PlanRoute[],
  bucket: string,
  key: string,
  eventType = "s3:ObjectCreated:Put",
): Explanation[] {
  if (!isS3EventType(eventType) || eventType.endsWith(":*")) {
    throw new Error(`"${eventType}" is not a concrete S3 event type; use one such as s3:ObjectCreated:Put.`);
  }
  const mine = routes.filter(
    (r) => r.delivery !== "cloudtrail" && (r.bucket === bucket || r.bucketName === bucket),
  );
  if (mine.length === 0) {
    const known = [...new Set(routes.filter((r) => r.delivery !== "cloudtrail").map((r) => r.bucket))];
    throw new Error(`No routes on bucket "${bucket}". Buckets with routes: ${known.join(", ") || "none"}.`);
  }
  return mine.map((route) => {
    const filter = { prefix: route.prefix, suffix: route.suffix };
    if (route.delivery === "eventbridge" && route.pattern) {
      const event = bridgeEvent(route.bucketName ?? bucket, key, eventType as ConcreteEventType);
      const reaches = event !== undefined && matchesPattern(route.pattern, event);
      return {
        route,
        reaches,
        why: reaches
          ? `its EventBridge rule matches ${eventType} on "${key}" (${describeFilter(filter)})`
          : event === undefined
            ? `EventBridge does not carry ${eventType}`
            : `its EventBridge rule does not match (${route.events.join(", ")}; ${describeFilter(filter)})`,
      };
    }
    if (!eventNameMatches(eventType, route.events)) {
      return { route, reaches: false, why: `it receives ${route.events.join(", ")}, not ${eventType}` };
    }
    if (!filterMatchesKey(filter, key)) {
      return { route, reaches: false, why: `"${key}" is outside its filter (${describeFilter(filter)})` };
    }
    return {
      route,
      reaches: true,
      why: `${eventType} and "${key}" match its filter (${describeFilter(filter)})`,
    };
  });
}

const mermaidId = (s: string) => s.replace(/[^A-Za-z0-9_]/g, "_");
const mermaidText = (s: string) => s.replace(/"/g, "'");

/** What a target hands events on to, or where it puts the ones it could not deliver. */
export interface Downstream {
  /** `subscriber` (SNS subscription), `consumer` (a queue's Lambda consumer) or `dlq` (dead-letter queue). */
  kind: "subscriber" | "consumer" | "dlq";
  /** What the diagram shows, e.g. `email ops@example.com`, `lambda "analysis-consumer"`, `DLQ thumbnails-failures`. */
  label: string;
}

const TARGET_TYPES: Readonly<Record<string, string>> = {
  lambda: "s3-event-routes:index:LambdaTarget",
  sqs: "s3-event-routes:index:QueueTarget",
  sns: "s3-event-routes:index:TopicTarget",
  sfn: "s3-event-routes:index:StateMachineTarget",
  webhook: "s3-event-routes:index:WebhookTarget",
};

/** The last part of an ARN (a function, queue or topic name), or the value itself. */
const arnName = (value: unknown) =>
  String(value ?? "?")
    .split(/[:/]/)
    .pop() ?? "?";

/**
 * For each target label (`lambda "thumbnails"`, `sns "activity"`, ...) of the routes: its SNS
 * subscribers, the Lambda functions that consume its queue, and its dead-letter queues, from the
 * resources declared under the target's component.
 */
export function downstreamOf(
  routes: readonly PlanRoute[],
  resources: readonly RecordedResource[],
): Map<string, Downstream[]> {
  const children = new Map<string, RecordedResource[]>();
  for (const r of resources) {
    if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  }
  const under = (urn: string): RecordedResource[] =>
    (children.get(urn) ?? []).flatMap((c) => [c, ...under(c.urn)]);
  const out = new Map<string, Downstream[]>();
  for (const label of new Set(routes.map((r) => r.target))) {
    const match = /^(\w+) "(.+)"$/.exec(label);
    const type = match ? TARGET_TYPES[match[1]] : undefined;
    const component = type ? resources.find((r) => r.type === type && r.name === match![2]) : undefined;
    if (!component) continue;
    const found: Downstream[] = [];
    for (const r of under(component.urn)) {
      if (r.type === "aws:sns/topicSubscription:TopicSubscription") {
        const endpoint = String(r.inputs.endpoint ?? "?");
        const protocol = String(r.inputs.protocol ?? "?");
        found.push({
          kind: "subscriber",
          label: `${protocol} ${protocol === "sqs" || protocol === "lambda" ? arnName(endpoint) : endpoint}`,
        });
      } else if (r.type === "aws:lambda/eventSourceMapping:EventSourceMapping") {
        found.push({ kind: "consumer", label: `lambda ${arnName(r.inputs.functionName)}` });
      } else if (r.type === "s3-event-routes:index:DeadLetterQueue") {
        found.push({ kind: "dlq", label: `DLQ ${r.name}` });
      }
    }
    if (found.length > 0) out.set(label, found);
  }
  return out;
}

/**
 * A Mermaid flowchart of buckets → routes → targets, in a Markdown file that renders on GitHub. With
 * the program's `resources`, each target also leads to its subscribers and queue consumers (solid
 * arrows) and its dead-letter queues (dotted "failures" arrows).
 */
export function mermaidDiagram(
  routes: readonly PlanRoute[],
  title: string,
  resources?: readonly RecordedResource[],
): string {
  return `# ${title}\n\nGenerated by \`s3-event-routes plan\` (\`npm run plan\` in this repository); do not edit.\n\n\`\`\`mermaid\n${mermaidFlowchart(routes, resources)}\n\`\`\`\n`;
}

/** The flowchart itself (Mermaid source, without the Markdown fence), for the README too. */
export function mermaidFlowchart(
  routes: readonly PlanRoute[],
  resources?: readonly RecordedResource[],
): string {
  const lines = ["flowchart LR"];
  const nodes = new Set<string>();
  const node = (id: string, text: string, shape: "bucket" | "route" | "target" | "consumer" | "dlq") => {
    if (nodes.has(id)) return;
    nodes.add(id);
    const label = mermaidText(text);
    lines.push(
      shape === "bucket"
        ? `  ${id}[("${label}")]`
        : shape === "route"
          ? `  ${id}["${label}"]`
          : shape === "target"
            ? `  ${id}{{"${label}"}}`
            : shape === "consumer"
              ? `  ${id}(["${label}"])`
              : `  ${id}[/"${label}"/]`,
    );
  };
  for (const r of routes) {
    const b = `b_${mermaidId(r.bucket)}`;
    const route = `r_${mermaidId(r.bucket)}_${mermaidId(r.route)}`;
    const t = `t_${mermaidId(r.target)}`;
    node(b, r.delivery === "cloudtrail" ? `bucket calls: ${r.bucket}` : `bucket ${r.bucket}`, "bucket");
    const filter = describeFilter({ prefix: r.prefix, suffix: r.suffix });
    node(route, `${r.route}<br/>${r.events.join(", ")}<br/>${filter}`, "route");
    node(t, r.target, "target");
    lines.push(`  ${b} --> ${route}`);
    lines.push(`  ${route} -- ${r.delivery}${r.reroutedFrom ? " (rerouted)" : ""} --> ${t}`);
  }
  const edges = new Set<string>();
  for (const [target, downstream] of downstreamOf(routes, resources ?? [])) {
    const t = `t_${mermaidId(target)}`;
    for (const d of downstream) {
      const id = `${d.kind === "dlq" ? "q" : "s"}_${mermaidId(d.label)}`;
      node(id, d.label, d.kind === "dlq" ? "dlq" : "consumer");
      const edge = d.kind === "dlq" ? `  ${t} -. failures .-> ${id}` : `  ${t} --> ${id}`;
      if (!edges.has(edge)) lines.push(edge);
      edges.add(edge);
    }
  }
  return lines.join("\n");
}
