/**
 * The entries of an `aws.s3.BucketNotification`, read from its props: kind, destination ARN, events
 * and the filter decoded from S3's URL encoding.
 */
import { decodeS3Key, expandEventType, isS3EventType, NotificationEntryLike, ObjectFilter } from "./model";
import { at, isUnknown, list, str, UNKNOWN, Unknown } from "./records";

/** The three lists a notification holds, each with the property naming its destination. */
export const ENTRY_LISTS = [
  { list: "lambdaFunctions", arnField: "lambdaFunctionArn", kind: "lambda" },
  { list: "queues", arnField: "queueArn", kind: "queue" },
  { list: "topics", arnField: "topicArn", kind: "topic" },
] as const;

/** What an entry delivers to. */
export type EntryKind = (typeof ENTRY_LISTS)[number]["kind"];

/** The property of a notification that holds entries of one kind. */
export type EntryList = (typeof ENTRY_LISTS)[number]["list"];

/** One entry of a notification. */
export interface NotificationEntry {
  /** What it delivers to. */
  kind: EntryKind;
  /** The property holding it (`lambdaFunctions`, `queues`, `topics`). */
  list: EntryList;
  /** Its position in that list. */
  index: number;
  /** Its `id`, when set. */
  id?: string;
  /** The destination ARN; {@link UNKNOWN} when not known yet; undefined when missing. */
  arn: string | Unknown | undefined;
  /** Its event types, or undefined when not known yet. */
  events: string[] | undefined;
  /** Its filter, decoded (`raw+photos/` becomes `raw photos/`), or undefined when not known yet. */
  filter: ObjectFilter | undefined;
  /** How messages name it: its id, else `queues[0] (arn:...)`. */
  name: string;
}

function decode(value: string): string {
  try {
    return decodeS3Key(value);
  } catch {
    return value;
  }
}

/** The entries of a notification's props, in the order lambdaFunctions, queues, topics. */
export function notificationEntries(props: Record<string, unknown>): NotificationEntry[] {
  const out: NotificationEntry[] = [];
  for (const { list: listName, arnField, kind } of ENTRY_LISTS) {
    const raw = props[listName];
    list(raw).forEach((entry, index) => {
      const arnRaw = at(entry, arnField);
      const arn = isUnknown(arnRaw) ? UNKNOWN : str(arnRaw);
      const id = str(at(entry, "id")) || undefined;
      const eventsRaw = at(entry, "events");
      const events =
        Array.isArray(eventsRaw) && !eventsRaw.some(isUnknown)
          ? eventsRaw.filter((e): e is string => typeof e === "string")
          : undefined;
      const prefix = at(entry, "filterPrefix");
      const suffix = at(entry, "filterSuffix");
      let filter: ObjectFilter | undefined;
      if (!isUnknown(prefix) && !isUnknown(suffix)) {
        filter = {};
        if (typeof prefix === "string" && prefix !== "") filter.prefix = decode(prefix);
        if (typeof suffix === "string" && suffix !== "") filter.suffix = decode(suffix);
      }
      const where = `${listName}[${index}]`;
      const name = id ?? (typeof arn === "string" ? `${where} (${arn})` : where);
      out.push({ kind, list: listName, index, id, arn, events, filter, name });
    });
  }
  return out;
}

/** The entry in the shape the route model's overlap rule takes, or undefined when not known yet. */
export function asEntryLike(e: NotificationEntry): NotificationEntryLike | undefined {
  return e.events && e.filter ? { name: e.name, events: e.events, filter: e.filter } : undefined;
}

/** True when the entry's events include object creation (what a write into the bucket fires). */
export function firesOnCreate(e: NotificationEntry): boolean {
  return (e.events ?? []).some(
    (t) => isS3EventType(t) && expandEventType(t).some((c) => c.startsWith("s3:ObjectCreated:")),
  );
}
