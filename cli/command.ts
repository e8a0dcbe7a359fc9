/**
 * A subcommand of `s3-event-routes`: its declaration (options, arguments, help) and what it does.
 * `run` returns the exit status; it writes results to stdout and everything else (notes, progress)
 * to stderr, so that `--json` output stays parseable.
 */
import type { CommandSpec, ParsedArgs } from "./args";

/** A subcommand. */
export interface Command {
  /** Its declaration, the common options included. */
  spec: CommandSpec;
  /**
   * Runs it.
   *
   * @returns the exit status.
   */
  run(args: ParsedArgs): Promise<number>;
}

/** Writes a line to stdout. */
export const out = (line: string): void => void process.stdout.write(`${line}\n`);

/** Writes a line to stderr. */
export const err = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * Says on stderr what a slow step is doing, once it has taken more than `afterMs` (so quick runs
 * stay quiet), and how long it took when it ends.
 *
 * @returns the function that ends the step.
 */
export function progress(label: string, afterMs = 3000): () => void {
  const started = Date.now();
  let said = false;
  const timer = setTimeout(() => {
    said = true;
    err(`${label}...`);
  }, afterMs);
  timer.unref();
  return () => {
    clearTimeout(timer);
    if (said) err(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
}
