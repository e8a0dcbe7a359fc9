import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { CheckedViolation } from "../../cli/checker/policyRuntime";
import type { PlanRoute } from "../../cli/planReport";

const root = join(__dirname, "../..");
const exec = promisify(execFile);

interface PlanJson {
  resources: {
    type: string;
    name: string;
    protect: boolean;
    dependencies: string[];
    inputs: Record<string, unknown>;
  }[];
  routes: PlanRoute[];
  notes: string[];
  violations: CheckedViolation[];
}

/** Runs a command of the package's CLI in a child process (its own Pulumi runtime and config). */
async function cli(
  command: "plan" | "explain",
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [
        "--stack-trace-limit=0",
        "-r",
        "ts-node/register/transpile-only",
        "cli/main.ts",
        command,
        ...(command === "plan" ? ["--no-diagram"] : []),
        ...args,
      ],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Runs the offline plan. */
const plan = (...args: string[]) => cli("plan", ...args);

const ofType = (p: PlanJson, type: string) => p.resources.filter((r) => r.type === type);

/** The distinct thresholds of the alarms on waiting: delivery lag and rule latency (ms), queue age (s). */
const waitingThresholds = (p: PlanJson) => {
  const alarms = ofType(p, "aws:cloudwatch/metricAlarm:MetricAlarm");
  const thresholds = (pattern: RegExp) => [
    ...new Set(alarms.filter((a) => pattern.test(a.name)).map((a) => a.inputs.threshold)),
  ];
  return { lag: thresholds(/-(lag|latency)$/), age: thresholds(/-age$/) };
};

describe("the stack, per environment (offline plan)", function () {
  this.timeout(120_000);
  let dev: PlanJson;
  let prod: PlanJson;

  before(async () => {
    const [d, p] = await Promise.all([plan("--json", "--stack", "dev"), plan("--json", "--stack", "prod")]);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(p.code, 0, p.stderr);
    dev = JSON.parse(d.stdout);
    prod = JSON.parse(p.stdout);
  });

  it("routes every use case, each on its own route", () => {
    assert.deepEqual(
      dev.routes.map((r) => [
        r.bucket,
        r.route,
        r.events.join(","),
        r.prefix ?? "",
        r.suffix ?? "",
        r.delivery,
        r.target,
      ]),
      [
        [
          "uploads",
          "thumbnails-jpg",
          "s3:ObjectCreated:*",
          "images/",
          ".jpg",
          "native",
          'lambda "thumbnails"',
        ],
        [
          "uploads",
          "thumbnails-png",
          "s3:ObjectCreated:*",
          "images/",
          ".png",
          "native",
          'lambda "thumbnails"',
        ],
        [
          "uploads",
          "search-index",
          "s3:ObjectCreated:*,s3:ObjectRemoved:*",
          "docs/",
          "",
          "native",
          'lambda "search-index"',
        ],
        [
          "uploads",
          "activity",
          "s3:ObjectCreated:*,s3:ObjectRemoved:*",
          "shared/",
          "",
          "native",
          'sns "activity"',
        ],
        [
          "uploads",
          "replicate",
          "s3:ObjectCreated:*,s3:ObjectRemoved:*",
          "exports/",
          "",
          "native",
          'lambda "replicator"',
        ],
        ["uploads", "invoices", "s3:ObjectCreated:*", "invoices/", ".pdf", "eventbridge", 'sfn "invoices"'],
        ["uploads", "partner", "s3:ObjectCreated:*", "", "", "eventbridge", 'webhook "partner"'],
        ["dev-*", "created-deleted", "CreateBucket,DeleteBucket", "", "", "cloudtrail", 'sns "alarms-topic"'],
      ],
    );
  });

  it("passes the policy pack: prod clean, dev only the advisory for its explicitly unencrypted topics", () => {
    assert.deepEqual(prod.violations, []);
    assert.deepEqual(
      dev.violations.map((v) => [v.enforcementLevel, v.policy, v.resource?.name]),
      [
        ["advisory", "sns-topic-encrypted", "activity"],
        ["advisory", "sns-topic-encrypted", "alarms-topic"],
      ],
    );
  });

  it("shows per route which alarms on waiting watch it: rule latency, queue age, handler lag downstream", () => {
    assert.deepEqual(
      dev.routes.map((r) => [r.route, r.waitingAlarms]),
      [
        ["thumbnails-jpg", ["alarms-lambda-thumbnails-lag"]],
        ["thumbnails-png", ["alarms-lambda-thumbnails-lag"]],
        ["search-index", ["alarms-lambda-search-index-lag"]],
        ["activity", ["alarms-sqs-analysis-age", "alarms-lambda-analysis-consumer-lag"]],
        ["replicate", ["alarms-lambda-replicator-lag"]],
        ["invoices", ["alarms-uploads-invoices-latency", "alarms-lambda-search-index-lag"]],
        ["partner", ["alarms-uploads-partner-latency"]],
        ["created-deleted", ["alarms-bucket-lifecycle-created-deleted-latency"]],
      ],
    );
  });

  it("gives each bucket exactly one notification", () => {
    for (const p of [dev, prod]) {
      assert.deepEqual(
        ofType(p, "aws:s3/bucketNotification:BucketNotification")
          .map((n) => [n.name, n.inputs.bucket])
          .sort(),
        [
          ["replica-notification", "replica-mock"],
          ["uploads-notification", "uploads-mock"],
        ],
      );
    }
  });

  it("makes dev destroyable and cheap: no customer-managed keys, no versioning, short retention, nothing protected", () => {
    assert.equal(ofType(dev, "aws:kms/key:Key").length, 0);
    assert.equal(ofType(dev, "aws:s3/bucketVersioning:BucketVersioning").length, 0);
    assert.ok(ofType(dev, "aws:s3/bucket:Bucket").every((b) => b.inputs.forceDestroy === true));
    assert.ok(ofType(dev, "aws:cloudwatch/logGroup:LogGroup").every((l) => l.inputs.retentionInDays === 7));
    assert.deepEqual(
      dev.resources.filter((r) => r.protect).map((r) => r.name),
      [],
    );
    assert.deepEqual(waitingThresholds(dev), { lag: [900_000], age: [3600] });
    assert.deepEqual(dev.notes, [
      's3-event-routes:partnerApiKey is a secret not set for stack "dev"; offline, a placeholder stands in (set it with pulumi config set --secret partnerApiKey ... before pulumi up).',
    ]);
  });

  it("makes prod durable: versioning, customer-managed keys, long retention, stateful resources protected", () => {
    assert.equal(ofType(prod, "aws:kms/key:Key").length, 1);
    assert.deepEqual(waitingThresholds(prod), { lag: [300_000], age: [1800] });
    assert.deepEqual(
      ofType(prod, "aws:s3/bucketVersioning:BucketVersioning")
        .map((v) => v.name)
        .sort(),
      ["replica-versioning", "uploads-versioning"],
    );
    assert.ok(ofType(prod, "aws:s3/bucket:Bucket").every((b) => b.inputs.forceDestroy === false));
    assert.ok(ofType(prod, "aws:cloudwatch/logGroup:LogGroup").every((l) => l.inputs.retentionInDays === 90));
    const protectedNames = prod.resources.filter((r) => r.protect).map((r) => r.name);
    for (const name of [
      "data-key",
      "uploads",
      "replica",
      "analysis",
      "activity",
      "search-index-index",
      "bucket-lifecycle-logs",
    ]) {
      assert.ok(
        protectedNames.includes(name),
        `${name} should be protected; protected: ${protectedNames.join(", ")}`,
      );
    }
    assert.deepEqual(
      ofType(prod, "aws:sns/topicSubscription:TopicSubscription")
        .filter((s) => s.name.startsWith("activity-"))
        .map((s) => s.inputs.protocol),
      ["email", "sms", "sqs"],
    );
  });

  it("refuses bad configuration, naming the key and how to set it", async () => {
    const base = "  s3-event-routes:alertEmail: a@b.co\n  s3-event-routes:activityEmail: a@b.co\n";
    const cases: [string, string, RegExp][] = [
      [
        "citest-email",
        "  s3-event-routes:alertEmail: not-an-address\n  s3-event-routes:activityEmail: a@b.co\n",
        /Config "s3-event-routes:alertEmail" must be an email address, got "not-an-address"\. Set it with: pulumi config set alertEmail you@example\.com/,
      ],
      [
        "citest-http",
        `${base}  s3-event-routes:partnerWebhookUrl: http://partner.example.com\n`,
        /Config "s3-event-routes:partnerWebhookUrl" must be an https:\/\/ URL, got "http:\/\/partner\.example\.com"/,
      ],
      [
        "citest-lag",
        `${base}  s3-event-routes:lagAlarmSeconds: 0\n`,
        /Config "s3-event-routes:lagAlarmSeconds" must be a whole number of seconds from 1 to 86400, got 0\. Set it with: pulumi config set lagAlarmSeconds 300/,
      ],
      [
        "citest-days",
        `${base}  s3-event-routes:logRetentionDays: 10\n`,
        /Config "s3-event-routes:logRetentionDays" must be one of 1, 3, 5, 7, 14, 30/,
      ],
    ];
    const files = cases.map(([stack, yaml]) => {
      const file = join(root, `Pulumi.${stack}.yaml`);
      writeFileSync(file, `config:\n${yaml}`);
      return file;
    });
    try {
      const results = await Promise.all(cases.map(([stack]) => plan("--stack", stack)));
      results.forEach((r, i) => {
        assert.equal(r.code, 2, `${cases[i][0]} should fail`);
        assert.match(r.stderr, cases[i][2]);
      });
    } finally {
      files.forEach((f) => unlinkSync(f));
    }
  });

  it("explains which targets an event for a key reaches", async () => {
    const r = await cli("explain", "uploads", "invoices/2024/march report.pdf");
    assert.equal(r.code, 0, r.stderr);
    const reached = r.stdout.split("\n").filter((l) => l.includes("→ reaches"));
    assert.deepEqual(
      reached.map((l) => l.replace(/ via .*/, "").trim()),
      ['→ reaches sfn "invoices"', '→ reaches webhook "partner"'],
    );
  });
});
