/**
 * What the local event loop records — invocations, emails and SMS, executions, queues, tables,
 * failures — and how it reads and prints it.
 */
import { parseS3Notifications } from "../../handlers/shared/events";
import { deliveryLagMs, percentileOf } from "../../handlers/shared/lagMetric";
import type { QueueMessage } from "./envelopes";
import type { StateStep } from "./stateMachine";
import { duplicateDeliveries, ReceivedWebhook } from "./webhook";

/** One invocation of a function. */
export interface InvocationRecord {
  /** The function's label, `lambda "<name>"`. */
  function: string;
  /** What invoked it: `route <name>`, `queue "<name>"`, `sfn "<name>"`, ... */
  trigger: string;
  /** The envelope, as the handlers' parser names it (`s3`, `sqs`, `sns-sqs`, `eventbridge`, `payload`), or `other`. */
  envelope: string;
  /** `<event name> <decoded key>` of each object event in it. */
  objects: string[];
  /** The SQS message ids of the batch, for queue consumers. */
  messages?: string[];
  /** The attempt (async retries) or the highest receive count (SQS). */
  attempt: number;
  /**
   * Delivery lag of each object event, milliseconds from its time to the start of the invocation:
   * the figure the handler publishes as its DeliveryLag metric.
   */
  lagMs?: number[];
  /** Whether it returned. */
  ok: boolean;
  /** What it returned. */
  result?: unknown;
  /** What it threw. */
  error?: string;
}

/** One email or SMS SNS would send. */
export interface NotificationRecord {
  /** The topic's label. */
  topic: string;
  /** `email`, `email-json` or `sms`. */
  protocol: string;
  /** The address or number. */
  endpoint: string;
  /** The subject (email). */
  subject?: string;
  /** The body. */
  body: string;
}

/** One Step Functions execution. */
export interface ExecutionRecord {
  /** The machine's label. */
  stateMachine: string;
  /** The execution's ARN. */
  executionArn: string;
  /** Its input. */
  input: unknown;
  /** SUCCEEDED, FAILED or TIMED_OUT. */
  status: string;
  /** The states entered. */
  steps: StateStep[];
  /** The error, when it failed. */
  error?: { Error: string; Cause: string };
}

/** Everything that happened, for the summary and for tests. */
export interface LocalSummary {
  /** s3rver's endpoint. */
  endpoint: string;
  /** The webhook receiver's URL. */
  webhookReceiver: string;
  /** The buckets created. */
  buckets: string[];
  /** Object events s3rver reported, numbered from 1. */
  events: { n: number; bucket: string; key: string; eventName: string; sequencer: string }[];
  /** Bucket calls observed. */
  bucketCalls: { call: string; bucket: string }[];
  /** Function invocations. */
  invocations: InvocationRecord[];
  /** Emails and SMS that would be sent. */
  notifications: NotificationRecord[];
  /** Requests the webhook receiver got. */
  webhooks: ReceivedWebhook[];
  /** Step Functions executions. */
  executions: ExecutionRecord[];
  /** Each queue: messages processed by its consumer, messages sitting in it. */
  queues: { name: string; processed: QueueMessage[]; stored: QueueMessage[] }[];
  /** In-memory tables by name: the metadata index, the workflow's results. */
  tables: Record<string, Record<string, unknown>[]>;
  /** Records in the in-memory idempotency tables. */
  idempotencyRecords: number;
  /** What failed unexpectedly. */
  failures: string[];
}

export const short = (text: string, max = 160): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** What a handler returned, in a few words. */
export function describeResult(result: unknown): string {
  if (result !== null && typeof result === "object") {
    const r = result as {
      outcomes?: { status: string; reason: string; outputs?: string[]; duplicate?: boolean }[];
      batchItemFailures?: { itemIdentifier: string }[];
    };
    if (Array.isArray(r.outcomes)) {
      return (
        r.outcomes
          .map(
            (o) =>
              `${o.status} (${o.reason})${o.duplicate ? " [duplicate: stored outcome]" : ""}` +
              (o.outputs?.length ? ` → ${o.outputs.join(", ")}` : ""),
          )
          .join("; ") || "no object events"
      );
    }
    if (Array.isArray(r.batchItemFailures)) {
      return r.batchItemFailures.length === 0
        ? "batchItemFailures [] (every message succeeded)"
        : `batchItemFailures ${r.batchItemFailures.map((f) => f.itemIdentifier).join(", ")}`;
    }
  }
  return short(JSON.stringify(result) ?? "nothing");
}

/** The envelope and objects of an event, as the handlers' own parser reads it (SQS records one by one). */
export function readEnvelope(event: unknown): {
  envelope: string;
  objects: string[];
  messages?: string[];
  eventTimes: string[];
} {
  const records = (event as { Records?: unknown } | null)?.Records;
  const sqs =
    Array.isArray(records) &&
    records.every((r) => (r as { eventSource?: unknown })?.eventSource === "aws:sqs");
  const parts = sqs ? records.map((r) => ({ Records: [r] })) : [event];
  let envelope: string | undefined;
  const objects: string[] = [];
  const eventTimes: string[] = [];
  for (const part of parts) {
    try {
      const events = parseS3Notifications(part);
      envelope ??= events[0]?.source;
      objects.push(...events.map((e) => `${e.eventName} ${e.key}`));
      eventTimes.push(...events.map((e) => e.eventTime));
    } catch {
      // not an S3 notification (a poison message): no objects
    }
  }
  const messages = sqs ? records.map((r) => String((r as { messageId?: unknown }).messageId)) : undefined;
  return { envelope: envelope ?? "other", objects, ...(messages ? { messages } : {}), eventTimes };
}

/**
 * The delivery lag of each event time at `now`, as the handlers measure it.
 *
 * @param eventTimes - the events' times (ISO 8601).
 * @param now - when the invocation starts, milliseconds since the epoch.
 */
export function lagsAt(eventTimes: readonly string[], now: number): number[] {
  return eventTimes.flatMap((t) => {
    const lag = deliveryLagMs(t, now);
    return lag === undefined ? [] : [lag];
  });
}

/** `lag 12 ms` (or `lag 3–40 ms` for a batch), or empty when there is no figure. */
export function describeLag(lags: readonly number[] | undefined): string {
  if (!lags?.length) return "";
  const low = Math.min(...lags);
  const high = Math.max(...lags);
  return low === high ? `lag ${low} ms` : `lag ${low}–${high} ms`;
}

/** `p50 12 ms, p99 40 ms over 7 objects`: the summary of a list of delivery lags. */
export function lagPercentiles(lags: readonly number[]): string {
  return `p50 ${percentileOf(lags, 50)} ms, p99 ${percentileOf(lags, 99)} ms over ${plural(lags.length, "object")}`;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The summary, as lines. */
export function summaryLines(s: LocalSummary): string[] {
  const lines = [
    `Summary: ${plural(s.events.length, "object event")}, ${plural(s.bucketCalls.length, "bucket call")}.`,
  ];
  const byFunction = new Map<string, InvocationRecord[]>();
  for (const i of s.invocations) byFunction.set(i.function, [...(byFunction.get(i.function) ?? []), i]);
  for (const [fn, list] of byFunction) {
    const failed = list.filter((i) => !i.ok).length;
    const lags = list.flatMap((i) => i.lagMs ?? []);
    const lag = lags.length ? `; delivery lag ${lagPercentiles(lags)}` : "";
    lines.push(`  ${fn}: ${plural(list.length, "invocation")}${failed ? `, ${failed} threw` : ""}${lag}`);
  }
  const lags = s.invocations.flatMap((i) => i.lagMs ?? []);
  if (lags.length) lines.push(`  delivery lag, event time → handler start: ${lagPercentiles(lags)}`);
  for (const q of s.queues) {
    if (q.processed.length)
      lines.push(`  queue "${q.name}": ${plural(q.processed.length, "message")} processed`);
    if (q.stored.length) lines.push(`  queue "${q.name}": holds ${plural(q.stored.length, "message")}`);
  }
  for (const e of s.executions)
    lines.push(`  ${e.stateMachine}: execution ${e.status} (${e.steps.map((x) => x.name).join(" → ")})`);
  if (s.notifications.length) {
    lines.push(
      `  printed, not sent: ${s.notifications.map((n) => `${n.protocol} to ${n.endpoint}`).join(", ")}`,
    );
  }
  lines.push(
    `  webhook receiver: ${plural(s.webhooks.length, "request")}, ${plural(duplicateDeliveries(s.webhooks), "duplicate")}`,
  );
  for (const [name, items] of Object.entries(s.tables)) {
    const states = items.flatMap((i) => (typeof i.state === "string" ? [i.state] : []));
    const counts = [...new Set(states)]
      .map((st) => `${states.filter((x) => x === st).length} ${st}`)
      .join(", ");
    lines.push(`  table ${name} (in memory): ${plural(items.length, "item")}${counts ? ` (${counts})` : ""}`);
  }
  lines.push(`  idempotency records (in memory): ${s.idempotencyRecords}`);
  lines.push(s.failures.length ? `  FAILURES (${s.failures.length}):` : "  failures: none");
  for (const f of s.failures) lines.push(`    ${f}`);
  return lines;
}
