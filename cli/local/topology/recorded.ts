/**
 * The recorded registrations a topology is read from (what the mock engine kept of each resource),
 * and the small readers of their untyped inputs.
 */
import type { RecordedResource } from "../../../components/testing/mockEngine";

/** The registrations of one program run, by resource type. */
export class Recorded {
  constructor(
    /** Every registration, in order. */
    readonly all: readonly RecordedResource[],
  ) {}

  /** The registrations of one type (`aws:sqs/queue:Queue`). */
  of(type: string): RecordedResource[] {
    return this.all.filter((r) => r.type === type);
  }
}

/** A resource's ARN, as its mocked state holds it. */
export const arnOf = (r: RecordedResource): string => str(r.state.arn) ?? "";

/** A string input, or undefined. */
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** A number input, or the fallback (AWS's default). */
export const num = (v: unknown, fallback: number): number => (typeof v === "number" ? v : fallback);

/** An object input, or an empty one. */
export const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** A list of objects, or an empty list. */
export const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(record) : []);
