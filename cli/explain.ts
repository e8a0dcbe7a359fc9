/**
 * `s3-event-routes explain <bucket> <key> [<event>]`: which targets an event on a key would reach in
 * the project's stack, route by route, and why (the filter, the event names, the EventBridge pattern).
 *
 * Exit status: 0 the explanation was printed (whether or not a target is reached), 2 the program
 * failed or the arguments are wrong.
 */
import { CommandSpec, ParsedArgs, stringOption, UsageError, usageLine, withCommonOptions } from "./args";
import { Command, out } from "./command";
import { BIN } from "./packageRoot";
import { PROGRAM_OPTION, planStack } from "./plan";
import { explain } from "./planReport";

const DEFAULT_EVENT = "s3:ObjectCreated:Put";

const spec: CommandSpec = withCommonOptions({
  name: "explain",
  description:
    "Evaluates the stack offline (as plan does) and, for an S3 event on an object key, says route by route\n" +
    "whether the event reaches its target and why: the event names it receives, its prefix/suffix filter as\n" +
    "S3 compares it, or its EventBridge pattern.",
  positionals: [
    { name: "bucket", doc: "the bucket: its component name in the program, or its physical name" },
    { name: "key", doc: "the object key as you would write it (not URL-encoded)" },
    { name: "event", doc: `a concrete S3 event type (default ${DEFAULT_EVENT}); or --event`, optional: true },
  ],
  options: [
    {
      name: "event",
      value: "<type>",
      doc: `the S3 event type, e.g. s3:ObjectRemoved:Delete (default ${DEFAULT_EVENT})`,
    },
    { name: "json", doc: "print the verdicts as JSON" },
    PROGRAM_OPTION,
  ],
  epilogue:
    "Exit status: 0 explained (reached or not), 2 the program failed or the arguments are wrong.\n" +
    `Example: ${BIN} explain uploads "images/cat photo.jpg" s3:ObjectCreated:Put --stack prod`,
});

async function run(args: ParsedArgs): Promise<number> {
  const bucket = args.positionals.bucket as string;
  const key = args.positionals.key as string;
  const positional = args.positionals.event as string | undefined;
  const option = stringOption(args, "event");
  if (positional !== undefined && option !== undefined && positional !== option)
    throw new UsageError(
      `the event is given twice ("${positional}" and --event "${option}"): give it once.\n${usageLine(BIN, spec)}`,
    );
  const event = positional ?? option ?? DEFAULT_EVENT;
  const { plan } = await planStack(args);
  const verdicts = explain(plan.routes, bucket, key, event);
  if (args.options.json) {
    out(JSON.stringify({ bucket, key, event, verdicts }, null, 2));
    return 0;
  }
  out(`${event} on "${key}" in bucket "${bucket}":`);
  for (const v of verdicts)
    out(
      `  ${v.reaches ? "→ reaches" : "  skips  "} ${v.route.target} via route "${v.route.route}": ${v.why}`,
    );
  const reached = verdicts.filter((v) => v.reaches).length;
  out(reached ? `${reached} target(s) reached.` : "No target reached.");
  return 0;
}

/** `s3-event-routes explain`. */
export const explainCommand: Command = { spec, run };
