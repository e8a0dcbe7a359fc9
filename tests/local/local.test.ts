import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import sharp from "sharp";
import { compareSequencers, parseS3Notifications } from "../../handlers/shared/events";
import { S3Harness, startS3rver } from "../../handlers/testing/s3rverHarness";
import { DEMO_DELETED_KEY, DEMO_SCRATCH_BUCKET, POISON_BODY, sampleObjects } from "../../cli/local/demo";
import type { InvocationRecord, LocalSummary } from "../../cli/local/report";
import { OFFLINE_SECRET } from "../../cli/stackFiles";

const root = join(__dirname, "../..");

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the local loop in a child process (its own Pulumi runtime, environment and DynamoDB fakes). */
function runLocal(args: string[], killAfterMs: number): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "cli/main.ts", "local", ...args],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const killer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** True when nothing listens on the endpoint's port any more. */
function closed(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

const UPLOADS = "uploads-mock";
const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");

describe("npm run local -- --demo (the local event loop, end to end)", function () {
  this.timeout(90_000);
  const work = mkdtempSync(join(tmpdir(), "local-loop-"));
  const dataDir = join(work, "s3rver");
  const summaryFile = join(work, "summary.json");
  let run: Run;
  let summary: LocalSummary;
  let s3: S3Harness;
  const samples = new Map<string, Buffer>();

  const invocationsOf = (fn: string): InvocationRecord[] =>
    summary.invocations.filter((i) => i.function === `lambda "${fn}"`);
  const read = async (bucket: string, key: string) => {
    const r = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { body: Buffer.from(await r.Body!.transformToByteArray()), contentType: r.ContentType };
  };

  before(async () => {
    for (const o of await sampleObjects()) samples.set(o.key, o.body);
    run = await runLocal(
      ["--demo", "--port", "0", "--data-dir", dataDir, "--summary-json", summaryFile, "--timeout", "60"],
      80_000,
    );
    assert.equal(run.code, 0, `exit ${run.code} ${run.signal ?? ""}\n${run.stdout}\n${run.stderr}`);
    summary = JSON.parse(readFileSync(summaryFile, "utf8")) as LocalSummary;
    // The demo's buckets, reopened from the directory it kept.
    s3 = await startS3rver([], { directory: dataDir });
  });

  after(async () => {
    await s3?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("ends by itself, exit 0, no unexpected failure, its servers closed (no process.exit: nothing was left open)", async () => {
    assert.equal(run.signal, null);
    assert.deepEqual(summary.failures, []);
    assert.match(run.stdout, /failures: none\nstopped after [\d.]+ s\n$/);
    assert.equal(await closed(summary.endpoint), true, "s3rver still listens");
    assert.equal(await closed(summary.webhookReceiver), true, "the webhook receiver still listens");
    console.log(`      (demo child process: ${(run.ms / 1000).toFixed(1)} s)`);
  });

  it("prints each delivery's lag and the p50/p99 of them all in its summary", () => {
    const measured = summary.invocations.filter((i) => i.objects.length > 0);
    assert.ok(measured.length >= 8, `only ${measured.length} invocations carried objects`);
    for (const i of measured) {
      assert.equal(i.lagMs?.length, i.objects.length, `${i.function} ${i.trigger}: one figure per object`);
      assert.ok(
        i.lagMs.every((ms) => Number.isInteger(ms) && ms >= 0 && ms < 60_000),
        `${i.function}: ${i.lagMs.join(", ")}`,
      );
    }
    // Delivered lines end with the figure, e.g. `lambda "search-index": processed (...) [lag 12 ms]`.
    assert.match(run.stdout, /lambda "thumbnails": processed .*\[lag \d+ ms\]\n/);
    assert.match(
      run.stdout,
      /\n {2}delivery lag, event time → handler start: p50 \d+ ms, p99 \d+ ms over \d+ objects\n/,
    );
    assert.match(
      run.stdout,
      /\n {2}lambda "analysis-consumer": \d+ invocations.*; delivery lag p50 \d+ ms, p99 \d+ ms over/,
    );
    assert.doesNotMatch(
      run.stdout,
      /"_aws"/,
      "the handlers' EMF lines are not printed without --handler-logs",
    );
  });

  it("creates the dev stack's buckets under the plan's physical names", () => {
    assert.deepEqual(summary.buckets, ["uploads-mock", "replica-mock", "bucket-lifecycle-logs-mock"]);
  });

  it("writes the thumbnails into s3rver with the right dimensions, once per image: thumbnails trigger no thumbnails", async () => {
    const expected: [string, number, number][] = [
      ["thumbnails/images/diagram-128.webp", 128, 96],
      ["thumbnails/images/diagram-512.webp", 512, 384],
      ["thumbnails/images/harbour-128.webp", 128, 85],
      ["thumbnails/images/harbour-512.webp", 512, 341],
    ];
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: UPLOADS, Prefix: "thumbnails/" }));
    assert.deepEqual(
      listed.Contents?.map((c) => c.Key),
      expected.map(([k]) => k),
    );
    for (const [key, width, height] of expected) {
      const { body, contentType } = await read(UPLOADS, key);
      const meta = await sharp(body).metadata();
      assert.deepEqual(
        [key, meta.format, meta.width, meta.height, contentType],
        [key, "webp", width, height, "image/webp"],
      );
    }
    assert.deepEqual(
      invocationsOf("thumbnails").map((i) => [i.trigger, i.envelope, i.objects, i.ok]),
      [
        ["route thumbnails-jpg", "s3", ["ObjectCreated:Put images/harbour.jpg"], true],
        ["route thumbnails-png", "s3", ["ObjectCreated:Put images/diagram.png"], true],
      ],
    );
    // The thumbnails' own events happened, and reached only the partner's webhook.
    const thumbEvents = summary.events.filter((e) => e.key.startsWith("thumbnails/"));
    assert.equal(thumbEvents.length, 4);
    for (const e of thumbEvents) {
      const lines = run.stdout.split("\n").filter((l) => l.startsWith(`#${e.n} `) && l.includes(" route "));
      assert.deepEqual(
        lines.map((l) => l.replace(/^#\d+\s+/, "")),
        [
          'route partner → webhook "partner" (EventBridge "Object Created", rule uploads-partner, input transformer)',
        ],
      );
    }
  });

  it("indexes the docs in the in-memory table, decoded key included, and tombstones the deleted one", () => {
    const index = summary.tables["search-index-index"];
    const item = (key: string) => index.find((i) => i.pk === `s3://${UPLOADS}/${key}`);
    assert.deepEqual(
      invocationsOf("search-index")
        .filter((i) => i.objects.some((o) => o.endsWith(` ${DEMO_DELETED_KEY}`)))
        .map((i) => [
          i.envelope,
          i.objects,
          (i.result as { outcomes: { reason: string }[] }).outcomes[0].reason,
        ]),
      [
        ["s3", [`ObjectCreated:Put ${DEMO_DELETED_KEY}`], "index entry written"],
        ["s3", [`ObjectRemoved:Delete ${DEMO_DELETED_KEY}`], "tombstone written"],
      ],
    );
    const tombstone = item(DEMO_DELETED_KEY)!;
    assert.equal(tombstone.state, "deleted");
    assert.equal(tombstone.eventName, "ObjectRemoved:Delete");
    const created = summary.events.find(
      (e) => e.key === DEMO_DELETED_KEY && e.eventName === "ObjectCreated:Put",
    )!;
    assert.equal(compareSequencers(String(tombstone.sequencer), created.sequencer), 1);

    const accented = "docs/réunion été/compte rendu.txt";
    assert.ok(
      run.stdout.includes('(native: S3 event, key "docs/r%C3%A9union+%C3%A9t%C3%A9/compte+rendu.txt")'),
    );
    const present = item(accented)!;
    assert.deepEqual(
      [present.state, present.key, present.contentType, present.size, present.eTag],
      [
        "present",
        accented,
        "text/plain; charset=utf-8",
        samples.get(accented)!.length,
        md5(samples.get(accented)!),
      ],
    );
  });

  it("fans the shared/ upload out through SNS: an email printed, the SNS→SQS envelope consumed in a batch", () => {
    const activity = summary.notifications.filter((n) => n.topic === 'sns "activity"');
    assert.deepEqual(
      activity.map((n) => [n.protocol, n.endpoint, n.subject]),
      [["email", "dev-activity@example.com", "Amazon S3 Notification"]],
    );
    assert.deepEqual(
      parseS3Notifications(JSON.parse(activity[0].body)).map((e) => e.key),
      ["shared/notes.txt"],
    );
    const analysis = summary.queues.find((q) => q.name === "analysis")!;
    assert.equal(analysis.processed.length, 1);
    const body = JSON.parse(analysis.processed[0].body) as {
      Type: string;
      TopicArn: string;
      Message: string;
    };
    assert.deepEqual(
      [body.Type, body.TopicArn],
      ["Notification", "arn:aws:sns:us-east-1:123456789012:activity-mock"],
    );
    const consumer = invocationsOf("analysis-consumer");
    const withActivity = consumer.filter((i) => i.objects.includes("ObjectCreated:Put shared/notes.txt"));
    assert.equal(withActivity.length, 1);
    assert.equal(withActivity[0].envelope, "sns-sqs");
    assert.equal(withActivity[0].ok, true);
  });

  it("honours batchItemFailures: the poison message is redelivered up to maxReceiveCount (5), then dead-lettered", () => {
    const dlq = summary.queues.find((q) => q.name === "analysis-dlq")!;
    assert.deepEqual(
      dlq.stored.map((m) => [m.body, m.receiveCount]),
      [[POISON_BODY, 5]],
    );
    const poison = dlq.stored[0].messageId;
    const activity = summary.queues.find((q) => q.name === "analysis")!.processed[0].messageId;
    const consumer = invocationsOf("analysis-consumer");
    // Received five times; the activity message once, whichever batch it shared.
    assert.deepEqual(
      consumer.filter((i) => i.messages?.includes(poison)).map((i) => i.attempt),
      [1, 2, 3, 4, 5],
    );
    assert.equal(consumer.filter((i) => i.messages?.includes(activity)).length, 1);
    for (const i of consumer) {
      const both = i.messages?.includes(poison) && i.messages.includes(activity);
      const expected = both
        ? // a mixed batch: exactly the poison message reported, the rest succeeded
          [true, { batchItemFailures: [{ itemIdentifier: poison }] }, undefined]
        : i.messages?.includes(poison)
          ? // alone in its batch, it fails the whole batch (Powertools' FullBatchFailureError)
            [false, undefined, "FullBatchFailureError"]
          : [true, { batchItemFailures: [] }, undefined];
      assert.deepEqual([i.ok, i.result, i.error?.split(":")[0]], expected);
    }
  });

  it("replicates the export to the replica bucket", async () => {
    const { body, contentType } = await read("replica-mock", "exports/exports/report.csv");
    assert.deepEqual([body, contentType], [samples.get("exports/report.csv"), "text/csv"]);
    assert.deepEqual(
      invocationsOf("replicator").map((i) => [
        i.objects,
        (i.result as { outcomes: { reason: string }[] }).outcomes[0].reason,
      ]),
      [[["ObjectCreated:Put exports/report.csv"], "copied"]],
    );
  });

  it("runs the invoices workflow state by state and records the PDF", async () => {
    const pdfKey = "invoices/2024/march invoice.pdf";
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: UPLOADS, Key: pdfKey }));
    assert.equal(head.ContentType, "application/pdf");
    assert.deepEqual(
      summary.executions.map((e) => [e.stateMachine, e.status, e.steps.map((s) => s.name)]),
      [['sfn "invoices"', "SUCCEEDED", ["ReadMetadata", "ByContentType", "Process", "RecordResult"]]],
    );
    const webhook = summary.webhooks.find((w) => (w.body as { key: string }).key === pdfKey)!;
    const eventId = (webhook.body as { id: string }).id;
    const [record] = summary.tables["invoices-results"];
    const result = JSON.parse((record.result as { S: string }).S) as { outcomes: { reason: string }[] };
    assert.deepEqual(
      [record.pk, record.eventId, record.contentType, result.outcomes[0].reason],
      [{ S: `${UPLOADS}/${pdfKey}` }, { S: eventId }, { S: "application/pdf" }, "index entry written"],
    );
    // The processor (the metadata handler) got the stable payload and indexed the PDF.
    const processed = invocationsOf("search-index").filter((i) => i.trigger === 'sfn "invoices"');
    assert.deepEqual(
      processed.map((i) => [i.envelope, i.objects]),
      [["payload", [`ObjectCreated:Put ${pdfKey}`]]],
    );
    assert.equal(
      summary.tables["search-index-index"].find((i) => i.key === pdfKey)?.contentType,
      "application/pdf",
    );
  });

  it("POSTs the stable payload to the local receiver for every created object, with the API key header", () => {
    const created = summary.events.filter((e) => e.bucket === UPLOADS && e.eventName === "ObjectCreated:Put");
    assert.equal(created.length, 11);
    assert.deepEqual(
      summary.webhooks.map((w) => (w.body as { key: string }).key).sort(),
      created.map((e) => e.key).sort(),
    );
    for (const w of summary.webhooks) {
      assert.deepEqual([w.method, w.path, w.headers["x-api-key"]], ["POST", "/s3-events", OFFLINE_SECRET]);
      assert.deepEqual(Object.keys(w.body as object), [
        "id",
        "type",
        "time",
        "region",
        "bucket",
        "key",
        "object",
        "detail",
      ]);
    }
    const key = DEMO_DELETED_KEY;
    const body = summary.webhooks.find((w) => (w.body as { key: string }).key === key)!.body as Record<
      string,
      unknown
    >;
    const event = created.find((e) => e.key === key)!;
    const object = {
      key,
      size: samples.get(key)!.length,
      etag: md5(samples.get(key)!),
      sequencer: event.sequencer,
    };
    const detail = body.detail as Record<string, unknown>;
    assert.match(String(body.id), /^[0-9a-f-]{36}$/);
    assert.match(String(body.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(String(detail["request-id"]), /^[0-9A-F]{16}$/);
    assert.deepEqual(body, {
      id: body.id,
      type: "Object Created",
      time: body.time,
      region: "us-east-1",
      bucket: UPLOADS,
      key,
      object,
      detail: {
        version: "0",
        bucket: { name: UPLOADS },
        object,
        "request-id": detail["request-id"],
        requester: "123456789012",
        "source-ip-address": "127.0.0.1",
        reason: "PutObject",
      },
    });
    assert.deepEqual(
      parseS3Notifications(body).map((e) => [e.source, e.key, e.eventName]),
      [["payload", key, "ObjectCreated:Put"]],
    );
  });

  it("reports bucket creation and deletion as CloudTrail would, to the alarms topic's email", () => {
    assert.deepEqual(summary.bucketCalls, [
      { call: "CreateBucket", bucket: DEMO_SCRATCH_BUCKET },
      { call: "DeleteBucket", bucket: DEMO_SCRATCH_BUCKET },
    ]);
    const alerts = summary.notifications.filter((n) => n.topic === 'sns "alarms-topic"');
    assert.deepEqual(
      alerts.map((n) => {
        const event = JSON.parse(n.body) as { "detail-type": string; detail: Record<string, unknown> };
        return [
          n.protocol,
          n.endpoint,
          event["detail-type"],
          event.detail.eventName,
          (event.detail.requestParameters as { bucketName: string }).bucketName,
        ];
      }),
      ["CreateBucket", "DeleteBucket"].map((call) => [
        "email",
        "dev-alerts@example.com",
        "AWS API Call via CloudTrail",
        call,
        DEMO_SCRATCH_BUCKET,
      ]),
    );
  });
});
