/**
 * The command line of `s3-event-routes <command>`: options in any order, before or after the
 * positional arguments, as `--name value` or `--name=value`; `--` ends the options. Every command
 * declares its options and positionals once ({@link CommandSpec}); its `--help` text and its errors
 * come from that declaration.
 */

/** An option of a command. */
export interface OptionSpec {
  /** Its name without dashes, e.g. `stack`. */
  name: string;
  /** The placeholder of its value (e.g. `<env>`), or undefined for a flag. */
  value?: string;
  /** One line saying what it does. */
  doc: string;
  /** True when it may be given more than once (its values are collected). */
  repeatable?: boolean;
}

/** A positional argument of a command. */
export interface PositionalSpec {
  /** Its name, as the usage line shows it. */
  name: string;
  /** One line saying what it is. */
  doc: string;
  /** True when it may be left out. */
  optional?: boolean;
  /** True for the last positional when it takes all the remaining arguments. */
  variadic?: boolean;
}

/** A subcommand. */
export interface CommandSpec {
  /** Its name, e.g. `plan`. */
  name: string;
  /** What `--help` prints after the usage line. */
  description: string;
  /** Its positionals, in order. */
  positionals: PositionalSpec[];
  /** Its options (the common ones are added by {@link withCommonOptions}). */
  options: OptionSpec[];
  /** What `--help` prints at the end (exit statuses, examples). */
  epilogue?: string;
}

/** The parsed command line. */
export interface ParsedArgs {
  /** Option name → its value (a flag: `true`; a repeatable option: every value, in order). */
  options: Record<string, string | true | string[]>;
  /** Positional name → its value (a variadic one: every value). */
  positionals: Record<string, string | string[]>;
  /** True when `--help` or `-h` was given. */
  help: boolean;
}

/** An error in the command line; the message says what is wrong and ends with the usage line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The options every command takes. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  {
    name: "cwd",
    value: "<dir>",
    doc: "run as if in <dir>: the project is the nearest Pulumi.yaml at or above it, relative paths start there",
  },
  {
    name: "stack",
    value: "<name>",
    doc: "the stack whose Pulumi.<name>.yaml is read; default: the project's only stack file, else dev",
  },
];

/** `spec` with the common options added (its own first). */
export function withCommonOptions(spec: CommandSpec): CommandSpec {
  const own = new Set(spec.options.map((o) => o.name));
  return { ...spec, options: [...spec.options, ...COMMON_OPTIONS.filter((o) => !own.has(o.name))] };
}

/** The usage line, e.g. `s3-event-routes explain <bucket> <key> [<event>] [options]`. */
export function usageLine(bin: string, spec: CommandSpec): string {
  const positionals = spec.positionals.map((p) => {
    const shown = `<${p.name}>${p.variadic ? "..." : ""}`;
    return p.optional ? `[${shown}]` : shown;
  });
  return ["usage:", bin, spec.name, ...positionals, spec.options.length ? "[options]" : ""]
    .filter(Boolean)
    .join(" ");
}

/** The full `--help` text of a command. */
export function helpText(bin: string, spec: CommandSpec): string {
  const rows = spec.options.map((o) => [`--${o.name}${o.value ? ` ${o.value}` : ""}`, o.doc]);
  const args = spec.positionals.map((p) => [`<${p.name}>`, p.doc]);
  const width = Math.max(0, ...[...rows, ...args].map(([left]) => left.length));
  const table = (r: string[][]) => r.map(([left, doc]) => `  ${left.padEnd(width)}  ${doc}`);
  return [
    usageLine(bin, spec),
    "",
    spec.description,
    ...(args.length ? ["", "Arguments:", ...table(args)] : []),
    ...(rows.length ? ["", "Options (in any order, before or after the arguments):", ...table(rows)] : []),
    ...(spec.epilogue ? ["", spec.epilogue] : []),
    "",
  ].join("\n");
}

/** The Levenshtein distance of two short strings. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The candidate closest to `word`, when it is close enough to be a typo of it. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.min(2, Math.floor(word.length / 2)))
    ? best
    : undefined;
}

/**
 * Parses `argv` (the arguments after the command's name) against `spec`.
 *
 * @throws UsageError naming the argument at fault (and the option it is likely a typo of).
 */
export function parseArgs(bin: string, spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const usage = usageLine(bin, spec);
  const fail = (message: string): never => {
    throw new UsageError(`${message}\n${usage}\n(${bin} ${spec.name} --help says more)`);
  };
  const byName = new Map(spec.options.map((o) => [o.name, o]));
  const options: ParsedArgs["options"] = {};
  const words: string[] = [];
  let help = false;
  let optionsEnded = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (optionsEnded || a === "-" || !a.startsWith("-")) {
      words.push(a);
      continue;
    }
    if (a === "--") {
      optionsEnded = true;
      continue;
    }
    if (a === "--help" || a === "-h") {
      help = true;
      continue;
    }
    const match = /^--([^=]+)(?:=([\s\S]*))?$/.exec(a);
    const name = match?.[1];
    const option = name === undefined ? undefined : byName.get(name);
    if (!option || name === undefined) {
      const guess = name === undefined ? undefined : closest(name, [...byName.keys()]);
      return fail(
        `unknown option "${a}"${guess ? ` (did you mean --${guess}?)` : ""}` +
          (/^-[^-]/.test(a) ? "; options are spelled with two dashes" : ""),
      );
    }
    if (option.value === undefined) {
      if (match?.[2] !== undefined) fail(`--${name} takes no value (got "${a}")`);
      options[name] = true;
      continue;
    }
    let value = match?.[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || (value.startsWith("--") && value.length > 2))
        fail(`--${name} needs a value: --${name} ${option.value}`);
      i++;
    }
    if (value === "") fail(`--${name} needs a non-empty value: --${name} ${option.value}`);
    if (option.repeatable) {
      const previous = options[name];
      options[name] = [...(Array.isArray(previous) ? previous : []), value as string];
    } else options[name] = value as string;
  }
  const positionals: ParsedArgs["positionals"] = {};
  if (help) return { options, positionals, help };
  let w = 0;
  for (const p of spec.positionals) {
    if (p.variadic) {
      positionals[p.name] = words.slice(w);
      w = words.length;
      if (!p.optional && (positionals[p.name] as string[]).length === 0) fail(`<${p.name}> is missing`);
      continue;
    }
    if (w < words.length) positionals[p.name] = words[w++];
    else if (!p.optional) fail(`<${p.name}> is missing`);
  }
  if (w < words.length) {
    const extra = words.slice(w);
    // A word that is an option's name without its dashes, or close to one.
    const names = [...byName.keys()];
    const guess =
      extra.find((w) => byName.has(w)) ?? (extra[0].startsWith("-") ? undefined : closest(extra[0], names));
    fail(
      `unexpected argument${extra.length > 1 ? "s" : ""} ${extra.map((e) => `"${e}"`).join(", ")}` +
        (guess ? ` (did you mean --${guess}?)` : ""),
    );
  }
  return { options, positionals, help };
}

/** An option's value as a string, or undefined when it was not given. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === "string" ? v : undefined;
}

/** An option's value as a whole number ≥ `min`, or `fallback` when not given. */
export function numberOption(
  bin: string,
  spec: CommandSpec,
  args: ParsedArgs,
  name: string,
  fallback: number,
  min = 0,
): number {
  const text = stringOption(args, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(
      `--${name} needs a whole number${min > 0 ? ` of at least ${min}` : ""}, got "${text}"\n${usageLine(bin, spec)}`,
    );
  return n;
}
