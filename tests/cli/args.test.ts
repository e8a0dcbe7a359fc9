/** The command line of `s3-event-routes <command>`: options in any order, exact errors. */
import { strict as assert } from "node:assert";
import { CommandSpec, helpText, parseArgs, UsageError, withCommonOptions } from "../../cli/args";

const spec: CommandSpec = withCommonOptions({
  name: "explain",
  description: "d",
  positionals: [
    { name: "bucket", doc: "b" },
    { name: "key", doc: "k" },
    { name: "event", doc: "e", optional: true },
  ],
  options: [
    { name: "json", doc: "j" },
    { name: "event", value: "<type>", doc: "t" },
  ],
});
const variadic: CommandSpec = {
  name: "check",
  description: "d",
  positionals: [{ name: "program", doc: "p", optional: true, variadic: true }],
  options: [{ name: "jobs", value: "<n>", doc: "n" }],
};

const parse = (argv: string[], s = spec) => parseArgs("s3-event-routes", s, argv);
const usage = "usage: s3-event-routes explain <bucket> <key> [<event>] [options]";
const fails = (argv: string[], message: string, s = spec) =>
  assert.throws(
    () => parse(argv, s),
    (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, message);
      return true;
    },
  );

describe("the command line", () => {
  it("takes options before, between and after the arguments, as --name value or --name=value", () => {
    const expected = {
      options: { json: true, stack: "prod", cwd: "infra" },
      positionals: { bucket: "uploads", key: "a b.jpg" },
      help: false,
    };
    assert.deepEqual(parse(["uploads", "a b.jpg", "--json", "--stack", "prod", "--cwd", "infra"]), expected);
    assert.deepEqual(parse(["--stack=prod", "uploads", "--json", "a b.jpg", "--cwd=infra"]), expected);
    assert.deepEqual(parse(["--json", "--cwd", "infra", "--stack", "prod", "uploads", "a b.jpg"]), expected);
  });

  it("reads words after -- as arguments, even when they start with dashes", () => {
    assert.deepEqual(parse(["uploads", "--", "--odd-key", "s3:ObjectRemoved:Delete"]).positionals, {
      bucket: "uploads",
      key: "--odd-key",
      event: "s3:ObjectRemoved:Delete",
    });
  });

  it("collects a variadic positional, empty when optional and absent", () => {
    assert.deepEqual(parse(["a.ts", "--jobs", "2", "dir/"], variadic).positionals, {
      program: ["a.ts", "dir/"],
    });
    assert.deepEqual(parse([], variadic).positionals, { program: [] });
  });

  it("stops at --help without asking for the arguments", () => {
    assert.deepEqual(parse(["--help"]), { options: {}, positionals: {}, help: true });
    assert.equal(parse(["uploads", "-h"]).help, true);
  });

  it("names the argument at fault, with the usage line, and the option a typo is close to", () => {
    const more = "(s3-event-routes explain --help says more)";
    fails(["uploads", "k", "--josn"], `unknown option "--josn" (did you mean --json?)\n${usage}\n${more}`);
    fails(
      ["uploads", "k", "-j"],
      `unknown option "-j"; options are spelled with two dashes\n${usage}\n${more}`,
    );
    fails(["uploads", "--stack"], `--stack needs a value: --stack <name>\n${usage}\n${more}`);
    fails(["uploads", "k", "--stack", "--json"], `--stack needs a value: --stack <name>\n${usage}\n${more}`);
    fails(["uploads", "k", "--stack="], `--stack needs a non-empty value: --stack <name>\n${usage}\n${more}`);
    fails(["uploads", "k", "--json=yes"], `--json takes no value (got "--json=yes")\n${usage}\n${more}`);
    fails(["uploads"], `<key> is missing\n${usage}\n${more}`);
    fails(
      ["uploads", "k", "s3:ObjectCreated:Put", "extra", "json"],
      `unexpected arguments "extra", "json" (did you mean --json?)\n${usage}\n${more}`,
    );
  });

  it("prints help from the declaration: arguments, options (the common ones last), epilogue", () => {
    assert.equal(
      helpText("s3-event-routes", { ...spec, epilogue: "Exit status: 0." }),
      [
        usage,
        "",
        "d",
        "",
        "Arguments:",
        "  <bucket>        b",
        "  <key>           k",
        "  <event>         e",
        "",
        "Options (in any order, before or after the arguments):",
        "  --json          j",
        "  --event <type>  t",
        "  --cwd <dir>     run as if in <dir>: the project is the nearest Pulumi.yaml at or above it, relative paths start there",
        "  --stack <name>  the stack whose Pulumi.<name>.yaml is read; default: the project's only stack file, else dev",
        "",
        "Exit status: 0.",
        "",
      ].join("\n"),
    );
  });
});
