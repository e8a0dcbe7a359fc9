/** A StructuredLogger that records entries, so tests assert what was logged. */
import type { LogAttributes, StructuredLogger } from "../../../handlers/shared/logging";

/** One recorded entry. */
export interface LogEntry {
  /** The level. */
  level: "debug" | "info" | "warn" | "error";
  /** The message. */
  message: string;
  /** The attributes. */
  attributes: LogAttributes;
}

/** Records every entry in `entries`. */
export class RecordingLogger implements StructuredLogger {
  /** Every entry, in order. */
  readonly entries: LogEntry[] = [];
  /** Records a DEBUG entry. */
  debug(message: string, attributes: LogAttributes): void {
    this.entries.push({ level: "debug", message, attributes });
  }
  /** Records an INFO entry. */
  info(message: string, attributes: LogAttributes): void {
    this.entries.push({ level: "info", message, attributes });
  }
  /** Records a WARN entry. */
  warn(message: string, attributes: LogAttributes): void {
    this.entries.push({ level: "warn", message, attributes });
  }
  /** Records an ERROR entry. */
  error(message: string, attributes: LogAttributes): void {
    this.entries.push({ level: "error", message, attributes });
  }
  /** The messages at one level. */
  messages(level: LogEntry["level"]): string[] {
    return this.entries.filter((e) => e.level === level).map((e) => e.message);
  }
}
