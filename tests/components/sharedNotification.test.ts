import { strict as assert } from "node:assert";
import { createRequire } from "node:module";
import * as vm from "node:vm";
import * as pulumi from "@pulumi/pulumi";
import type {
  LambdaFunctionConfiguration,
  NotificationConfiguration,
  QueueConfiguration,
} from "@aws-sdk/client-s3";
import {
  SharedNotificationInputs,
  SharedNotificationState,
  sharedNotificationProvider,
} from "../../components/sharedNotification";
import { LambdaEntryInput, QueueEntryInput, TopicEntryInput } from "../../model/notificationMerge";
import { AMBIGUOUS, S3NotificationStandIn } from "./s3NotificationStandIn";

type Provider = pulumi.dynamic.ResourceProvider<SharedNotificationInputs, SharedNotificationState>;

const BUCKET = "shared-uploads";
const REGION = "eu-west-1";
const A = "pulumi:acme:photos:prod";
const B = "pulumi:acme:billing:prod";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const fn = (name: string) => `arn:aws:lambda:${REGION}:111122223333:function:${name}`;
const queue = (name: string) => `arn:aws:sqs:${REGION}:111122223333:${name}`;
const topic = (name: string) => `arn:aws:sns:${REGION}:111122223333:${name}`;

/** Entries made in the console, as S3 answers them. */
const CONSOLE_LOGS = {
  Id: "console-logs",
  LambdaFunctionArn: fn("log-indexer"),
  Events: ["s3:ObjectCreated:Put"],
  Filter: { Key: { FilterRules: [{ Name: "Prefix", Value: "logs/" }] } },
};
const CONSOLE_AUDIT = {
  Id: "console-audit",
  QueueArn: queue("audit"),
  Events: ["s3:ObjectRemoved:*"],
  Filter: { Key: { FilterRules: [{ Name: "Prefix", Value: "audit/" }] } },
};

const thumbs: LambdaEntryInput = {
  id: `${A}:thumbs`,
  events: ["s3:ObjectCreated:*"],
  filterPrefix: "raw+photos/",
  filterSuffix: ".jpg",
  lambdaFunctionArn: fn("thumbs"),
};
const archive: QueueEntryInput = {
  id: `${A}:archive`,
  events: ["s3:ObjectCreated:*"],
  filterPrefix: "archive/",
  queueArn: queue("archive"),
};
const docs: TopicEntryInput = {
  id: `${A}:docs`,
  events: ["s3:ObjectRemoved:*"],
  filterPrefix: "docs/",
  topicArn: topic("docs"),
};
const invoices: QueueEntryInput = {
  id: `${B}:invoices`,
  events: ["s3:ObjectCreated:*"],
  filterPrefix: "invoices/",
  queueArn: queue("invoices"),
};

function inputs(
  namespace: string,
  parts: Partial<Omit<SharedNotificationInputs, "namespace">> = {},
): SharedNotificationInputs {
  return {
    bucket: BUCKET,
    region: REGION,
    namespace,
    eventbridge: false,
    lambdaFunctions: [],
    queues: [],
    topics: [],
    ...parts,
  };
}

/** How S3 answers one of our entries. */
interface S3Answer {
  Id: string;
  Events: string[];
  Filter?: { Key: { FilterRules: { Name: string; Value: string }[] } };
  LambdaFunctionArn?: string;
  QueueArn?: string;
  TopicArn?: string;
}

function asS3(e: LambdaEntryInput | QueueEntryInput | TopicEntryInput): S3Answer {
  const rules = [
    ...(e.filterPrefix ? [{ Name: "Prefix", Value: e.filterPrefix }] : []),
    ...(e.filterSuffix ? [{ Name: "Suffix", Value: e.filterSuffix }] : []),
  ];
  const out: S3Answer = { Id: e.id, Events: e.events };
  if (rules.length) out.Filter = { Key: { FilterRules: rules } };
  if ("lambdaFunctionArn" in e) out.LambdaFunctionArn = e.lambdaFunctionArn;
  if ("queueArn" in e) out.QueueArn = e.queueArn;
  if ("topicArn" in e) out.TopicArn = e.topicArn;
  return out;
}

function withConsoleEntries(s3: S3NotificationStandIn, eventBridge = false): void {
  s3.edit(BUCKET, (c) => {
    c.LambdaFunctionConfigurations = [CONSOLE_LOGS as LambdaFunctionConfiguration];
    c.QueueConfigurations = [CONSOLE_AUDIT as QueueConfiguration];
    if (eventBridge) c.EventBridgeConfiguration = {};
  });
}

function ids(config: NotificationConfiguration): string[] {
  return [
    ...(config.LambdaFunctionConfigurations ?? []),
    ...(config.QueueConfigurations ?? []),
    ...(config.TopicConfigurations ?? []),
  ]
    .map((e) => e.Id ?? "")
    .sort();
}

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection, but the call succeeded");
}

describe("SharedBucketNotification provider", () => {
  let s3: S3NotificationStandIn;
  let provider: Provider;

  beforeEach(() => {
    s3 = new S3NotificationStandIn(BUCKET);
    provider = sharedNotificationProvider({ s3Client: (region) => s3.client(region), baseDelayMs: 0 });
  });

  describe("the stand-in", () => {
    it("rejects overlapping entries the way S3 does, and replaces the whole configuration on Put", () => {
      assert.throws(
        () =>
          s3.put(BUCKET, {
            QueueConfigurations: [
              { QueueArn: queue("a"), Events: ["s3:ObjectCreated:*"] },
              {
                QueueArn: queue("b"),
                Events: ["s3:ObjectCreated:Put"],
                Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "in/" }] } },
              },
            ],
          }),
        (e: Error) => `${e.name}: ${e.message}` === `InvalidArgument: ${AMBIGUOUS}`,
      );
      withConsoleEntries(s3);
      s3.put(BUCKET, { TopicConfigurations: [{ TopicArn: topic("t"), Events: ["s3:ObjectRemoved:*"] }] });
      assert.deepEqual(s3.get(BUCKET), {
        TopicConfigurations: [{ Id: "Mzk000001", TopicArn: topic("t"), Events: ["s3:ObjectRemoved:*"] }],
      });
    });
  });

  describe("create", () => {
    it("adds this stack's entries after the foreign ones, which it writes back exactly as read", async () => {
      withConsoleEntries(s3);
      const news = inputs(A, { lambdaFunctions: [thumbs], queues: [archive] });
      const result = await provider.create(news);
      assert.equal(result.id, BUCKET);
      assert.deepEqual(result.outs, { ...news, eventBridgeEnabledByUs: false });
      assert.deepEqual(s3.get(BUCKET), {
        LambdaFunctionConfigurations: [CONSOLE_LOGS, asS3(thumbs)],
        QueueConfigurations: [CONSOLE_AUDIT, asS3(archive)],
      });
      assert.deepEqual(s3.regions, [REGION]);
      assert.equal(s3.puts, 1);
    });

    it("turns EventBridge on when this stack needs it and records that it did", async () => {
      const result = await provider.create(inputs(A, { eventbridge: true, topics: [docs] }));
      assert.equal(result.outs?.eventBridgeEnabledByUs, true);
      assert.deepEqual(s3.get(BUCKET).EventBridgeConfiguration, {});
    });

    it("records that it did not turn EventBridge on when it already was", async () => {
      withConsoleEntries(s3, true);
      const result = await provider.create(inputs(A, { eventbridge: true, topics: [docs] }));
      assert.equal(result.outs?.eventBridgeEnabledByUs, false);
    });

    it("takes over an entry that already carries one of its Ids (the namespace is the claim)", async () => {
      s3.edit(
        BUCKET,
        (c) => (c.QueueConfigurations = [{ ...asS3(archive), QueueArn: queue("old") } as QueueConfiguration]),
      );
      await provider.create(inputs(A, { queues: [archive] }));
      assert.deepEqual(s3.get(BUCKET), { QueueConfigurations: [asS3(archive)] });
    });

    it("refuses a bucket that does not exist", async () => {
      const error = await rejection(provider.create({ ...inputs(A, { queues: [archive] }), bucket: "nope" }));
      assert.equal(
        error.message,
        'Bucket "nope" does not exist (NoSuchBucket), so no route can be added to it. Check "existing.bucketName" and the region.',
      );
    });

    it("relays S3's refusal with what to do", async () => {
      s3.hooks.failPut = () => ({ name: "AccessDenied", message: "Access Denied" });
      const error = await rejection(provider.create(inputs(A, { queues: [archive] })));
      assert.equal(
        error.message,
        `Bucket "${BUCKET}": S3 refused the notification configuration: AccessDenied: Access Denied (the identity running ` +
          `Pulumi needs s3:PutBucketNotification; every destination's permission or policy must let S3 deliver to it).`,
      );
      assert.equal(error.id, undefined, "nothing was written, so nothing is recorded");
    });
  });

  describe("check and diff: conflicts found at preview, before any change", () => {
    const everything: QueueEntryInput = {
      id: `${A}:everything`,
      events: ["s3:ObjectCreated:*"],
      queueArn: queue("everything"),
    };
    const consoleOverlap =
      `Bucket "${BUCKET}": route "everything" of this stack (Id "${A}:everything", the whole bucket → ` +
      `${queue("everything")}) overlaps the entry "console-logs" that another writer (not a Pulumi stack using these ` +
      `components, e.g. the console) keeps on the bucket (prefix "logs/" → ${fn("log-indexer")}): both receive ` +
      `s3:ObjectCreated:Put and their filters can match the same key, which S3 rejects ("Configuration is ambiguously ` +
      `defined"). Nothing was changed. Make this route's prefix or suffix disjoint from the other entry's, deliver it ` +
      `through EventBridge (delivery: "eventbridge"), or have the owner of "console-logs" narrow or remove it.`;

    it("check (the preview of a create) names the foreign entry and our route", async () => {
      withConsoleEntries(s3);
      const news = inputs(A, { queues: [everything] });
      const result = await provider.check!({} as SharedNotificationInputs, news);
      assert.deepEqual(result, { inputs: news, failures: [{ property: "entries", reason: consoleOverlap }] });
      assert.equal(s3.puts, 0);
    });

    it("diff (the preview of an update) fails with the exact message and changes nothing", async () => {
      withConsoleEntries(s3);
      const created = (await provider.create(inputs(A, { queues: [archive] }))).outs!;
      const before = s3.get(BUCKET);
      const error = await rejection(
        provider.diff!(BUCKET, created, inputs(A, { queues: [archive, everything] })),
      );
      assert.equal(error.message, consoleOverlap);
      const update = await rejection(
        provider.update!(BUCKET, created, inputs(A, { queues: [archive, everything] })),
      );
      assert.equal(update.message, consoleOverlap);
      assert.deepEqual(s3.get(BUCKET), before);
    });

    it("names another stack's entry by stack, project and route", async () => {
      await sharedNotificationProvider({ s3Client: (r) => s3.client(r) }).create(
        inputs(B, { queues: [invoices] }),
      );
      const wide: QueueEntryInput = { ...everything, filterPrefix: "in" };
      const result = await provider.check!({} as SharedNotificationInputs, inputs(A, { queues: [wide] }));
      assert.match(
        result.failures?.[0]?.reason ?? "",
        /overlaps the entry "pulumi:acme:billing:prod:invoices" that stack "prod" of project "billing" in organization "acme" \(route "invoices"\) keeps on the bucket \(prefix "invoices\/" → arn:aws:sqs:eu-west-1:111122223333:invoices\)/,
      );
    });

    it("compares decoded filters: a foreign `raw%20photos/` overlaps our `raw+photos/`", async () => {
      s3.edit(BUCKET, (c) => {
        c.LambdaFunctionConfigurations = [
          {
            Id: "console-raw",
            LambdaFunctionArn: fn("legacy"),
            Events: ["s3:ObjectCreated:Put"],
            Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "raw%20photos/2024/" }] } },
          },
        ];
      });
      const result = await provider.check!(
        {} as SharedNotificationInputs,
        inputs(A, { lambdaFunctions: [thumbs] }),
      );
      assert.match(result.failures?.[0]?.reason ?? "", /\(prefix "raw photos\/2024\/" → /);
    });

    it("checks at preview while destinations are unknown, and skips what cannot be known", async () => {
      withConsoleEntries(s3);
      const result = await provider.check!(
        {} as SharedNotificationInputs,
        inputs(A, { queues: [{ ...everything, queueArn: UNKNOWN }] }),
      );
      assert.match(result.failures?.[0]?.reason ?? "", /the whole bucket → \(known after apply\)\) overlaps/);
      const gets = s3.gets;
      const unknownLists = { ...inputs(A), queues: UNKNOWN } as unknown as SharedNotificationInputs;
      assert.deepEqual(await provider.check!({} as SharedNotificationInputs, unknownLists), {
        inputs: unknownLists,
      });
      assert.equal(s3.gets, gets, "no read while the entries are unknown");
    });

    it("check refuses Ids outside the namespace, duplicates and overlapping routes without calling AWS", async () => {
      const result = await provider.check!(
        {} as SharedNotificationInputs,
        inputs(A, {
          queues: [
            { ...archive, id: "archive", filterPrefix: "x/" },
            archive,
            { ...archive, queueArn: queue("x") },
          ],
        }),
      );
      assert.deepEqual(
        result.failures?.map((f) => f.reason),
        [
          `Bucket "${BUCKET}": entry Id "archive" is not in this stack's namespace: it must read "${A}:<route>" with a route name of letters, digits, ".", "_" or "-".`,
          `Bucket "${BUCKET}": two entries have the Id "${A}:archive". Give each route a unique name.`,
          `Bucket "${BUCKET}": routes "archive" and "archive" overlap: both receive s3:ObjectCreated:* and their filters (prefix "archive/" vs prefix "archive/") can match the same key, which S3 rejects ("Configuration is ambiguously defined"). Make their prefixes or suffixes disjoint.`,
        ],
      );
      assert.equal(s3.gets, 0);
    });

    it("check reports a missing bucket", async () => {
      const result = await provider.check!({} as SharedNotificationInputs, { ...inputs(A), bucket: "nope" });
      assert.deepEqual(result.failures, [
        {
          property: "bucket",
          reason:
            'Bucket "nope" does not exist (NoSuchBucket), so no route can be added to it. Check "existing.bucketName" and the region.',
        },
      ]);
    });

    it("diff reports no change, a change, and a replacement when the bucket changes", async () => {
      const news = inputs(A, { lambdaFunctions: [thumbs], queues: [archive] });
      const created = (await provider.create(news)).outs!;
      const reordered = inputs(A, { queues: [archive], lambdaFunctions: [thumbs] });
      assert.deepEqual(await provider.diff!(BUCKET, created, reordered), { changes: false });
      assert.deepEqual(await provider.diff!(BUCKET, created, inputs(A, { queues: [archive] })), {
        changes: true,
      });
      assert.deepEqual(await provider.diff!(BUCKET, created, { ...news, bucket: "other" }), {
        changes: true,
        replaces: ["bucket"],
      });
      assert.deepEqual(
        await provider.diff!(BUCKET, created, inputs(A, { queues: [{ ...archive, queueArn: UNKNOWN }] })),
        { changes: true },
      );
    });
  });

  describe("update", () => {
    it("replaces only this stack's entries: removed routes go, new and changed ones are written", async () => {
      withConsoleEntries(s3);
      await sharedNotificationProvider({ s3Client: (r) => s3.client(r) }).create(
        inputs(B, { queues: [invoices] }),
      );
      const created = (await provider.create(inputs(A, { lambdaFunctions: [thumbs], queues: [archive] })))
        .outs!;
      const png = { ...thumbs, filterSuffix: ".png" };
      const updated = await provider.update!(
        BUCKET,
        created,
        inputs(A, { lambdaFunctions: [png], topics: [docs] }),
      );
      assert.deepEqual(updated.outs, {
        ...inputs(A, { lambdaFunctions: [png], topics: [docs] }),
        eventBridgeEnabledByUs: false,
      });
      assert.deepEqual(s3.get(BUCKET), {
        LambdaFunctionConfigurations: [CONSOLE_LOGS, asS3(png)],
        QueueConfigurations: [CONSOLE_AUDIT, asS3(invoices)],
        TopicConfigurations: [asS3(docs)],
      });
    });

    it("migrates an entry written with the legacy Id (no organization) to the new Id in one write, foreign entries kept", async () => {
      // Prepare: what an earlier version wrote and recorded, next to the console's entries.
      withConsoleEntries(s3);
      const LEGACY = "pulumi:photos:prod";
      const legacyArchive = { ...archive, id: `${LEGACY}:archive` };
      const written = (await provider.create(inputs(LEGACY, { queues: [legacyArchive] }))).outs!;
      const puts = s3.puts;
      // Act: the same route, now namespaced with the organization.
      await provider.update!(BUCKET, written, inputs(A, { queues: [archive] }));
      // Assess: one Put; the legacy entry is gone, the new one is there, the console's entries untouched.
      assert.equal(s3.puts, puts + 1);
      assert.deepEqual(s3.get(BUCKET), {
        LambdaFunctionConfigurations: [CONSOLE_LOGS],
        QueueConfigurations: [CONSOLE_AUDIT, asS3(archive)],
      });
    });

    it("treats a legacy-Id entry the state does not record as foreign: kept, and named at preview when it overlaps", async () => {
      s3.edit(BUCKET, (c) => {
        c.QueueConfigurations = [
          asS3({ ...archive, id: "pulumi:photos:prod:archive" }) as QueueConfiguration,
        ];
      });
      const result = await provider.check!({} as SharedNotificationInputs, inputs(A, { queues: [archive] }));
      assert.match(
        result.failures?.[0]?.reason ?? "",
        /overlaps the entry "pulumi:photos:prod:archive" that stack "prod" of project "photos" \(route "archive"; a legacy Id without the organization, written by an earlier version of this stack or by a stack of the same names in another organization\) keeps on the bucket/,
      );
    });

    it("writes nothing when the bucket already holds what it should", async () => {
      const news = inputs(A, { queues: [archive] });
      const created = (await provider.create(news)).outs!;
      const puts = s3.puts;
      assert.deepEqual((await provider.update!(BUCKET, created, news)).outs, created);
      assert.equal(s3.puts, puts);
    });
  });

  describe("delete", () => {
    it("removes only this stack's entries; foreign entries and EventBridge (on before us) stay as they were", async () => {
      withConsoleEntries(s3, true);
      const before = s3.get(BUCKET);
      const created = (
        await provider.create(inputs(A, { eventbridge: true, queues: [archive], topics: [docs] }))
      ).outs!;
      assert.equal(created.eventBridgeEnabledByUs, false);
      await provider.delete!(BUCKET, created);
      assert.deepEqual(s3.get(BUCKET), before);
    });

    it("leaves EventBridge on even when it was this stack that turned it on (others may rely on it)", async () => {
      const created = (await provider.create(inputs(A, { eventbridge: true, queues: [archive] }))).outs!;
      assert.equal(created.eventBridgeEnabledByUs, true);
      await provider.delete!(BUCKET, created);
      assert.deepEqual(s3.get(BUCKET), { EventBridgeConfiguration: {} });
    });

    it("does nothing when none of its entries is left, or the bucket is gone", async () => {
      withConsoleEntries(s3);
      const created = (await provider.create(inputs(A, { queues: [archive] }))).outs!;
      s3.edit(BUCKET, (c) => (c.QueueConfigurations = [CONSOLE_AUDIT as QueueConfiguration]));
      const puts = s3.puts;
      await provider.delete!(BUCKET, created);
      assert.equal(s3.puts, puts);
      await provider.delete!(BUCKET, { ...created, bucket: "gone" });
    });
  });

  describe("read (refresh)", () => {
    it("reports this stack's entries as the bucket holds them, and a bucket that is gone", async () => {
      withConsoleEntries(s3);
      const created = (await provider.create(inputs(A, { lambdaFunctions: [thumbs], queues: [archive] })))
        .outs!;
      s3.edit(BUCKET, (c) => {
        c.LambdaFunctionConfigurations = [CONSOLE_LOGS as LambdaFunctionConfiguration];
        c.QueueConfigurations = (c.QueueConfigurations ?? []).map((q) =>
          q.Id === archive.id ? { ...q, QueueArn: queue("moved") } : q,
        );
      });
      const read = await provider.read!(BUCKET, created);
      assert.deepEqual(read, {
        id: BUCKET,
        props: {
          ...created,
          lambdaFunctions: [],
          queues: [{ ...archive, queueArn: queue("moved") }],
          topics: [],
        },
      });
      assert.deepEqual(await provider.read!(BUCKET, { ...created, bucket: "gone" }), {});
    });
  });

  describe("drift of this stack's own entries", () => {
    it("reports an entry removed outside Pulumi at diff and update; refresh then up writes it back", async () => {
      withConsoleEntries(s3);
      const news = inputs(A, { lambdaFunctions: [thumbs], queues: [archive] });
      const created = (await provider.create(news)).outs!;
      s3.edit(
        BUCKET,
        (c) => (c.LambdaFunctionConfigurations = [CONSOLE_LOGS as LambdaFunctionConfiguration]),
      );
      const message =
        `Bucket "${BUCKET}": entry "${A}:thumbs" of route "thumbs" (s3:ObjectCreated:*, prefix "raw photos/" + ` +
        `suffix ".jpg", → ${fn("thumbs")}) was removed outside Pulumi since this stack last wrote it. Nothing was ` +
        "changed. Run `pulumi refresh` to accept the bucket's current state, then `pulumi up` to write this stack's " +
        "routes again (or remove the route from the program if the change was deliberate).";
      assert.equal((await rejection(provider.diff!(BUCKET, created, news))).message, message);
      assert.equal((await rejection(provider.update!(BUCKET, created, news))).message, message);

      const refreshed = (await provider.read!(BUCKET, created)).props!;
      assert.deepEqual(await provider.diff!(BUCKET, refreshed, news), { changes: true });
      await provider.update!(BUCKET, refreshed, news);
      assert.deepEqual(ids(s3.get(BUCKET)), ["console-audit", "console-logs", `${A}:archive`, `${A}:thumbs`]);
    });

    it("ignores drift of a route the program is removing anyway", async () => {
      const created = (await provider.create(inputs(A, { lambdaFunctions: [thumbs], queues: [archive] })))
        .outs!;
      s3.edit(BUCKET, (c) => delete c.LambdaFunctionConfigurations);
      const news = inputs(A, { queues: [archive] });
      assert.deepEqual(await provider.diff!(BUCKET, created, news), { changes: true });
      await provider.update!(BUCKET, created, news);
      assert.deepEqual(ids(s3.get(BUCKET)), [`${A}:archive`]);
    });

    it("reports an entry changed outside Pulumi, and EventBridge turned off", async () => {
      const news = inputs(A, { eventbridge: true, queues: [archive] });
      const created = (await provider.create(news)).outs!;
      s3.edit(BUCKET, (c) => {
        c.QueueConfigurations = [{ ...asS3(archive), QueueArn: queue("elsewhere") } as QueueConfiguration];
        delete c.EventBridgeConfiguration;
      });
      const error = await rejection(provider.diff!(BUCKET, created, news));
      assert.equal(
        error.message,
        `Bucket "${BUCKET}": entry "${A}:archive" of route "archive" was changed outside Pulumi since this stack last ` +
          `wrote it (now sqs: s3:ObjectCreated:*, prefix "archive/", → ${queue("elsewhere")}; written sqs: ` +
          `s3:ObjectCreated:*, prefix "archive/", → ${queue("archive")}). Nothing was changed. Run \`pulumi refresh\` ` +
          "to accept the bucket's current state, then `pulumi up` to write this stack's routes again (or remove the " +
          "route from the program if the change was deliberate).\n" +
          `Bucket "${BUCKET}": EventBridge delivery, which this stack's routes need, was turned off outside Pulumi ` +
          "since this stack last wrote the configuration. Nothing was changed. Run `pulumi refresh` to accept the " +
          "bucket's current state, then `pulumi up` to write this stack's routes again (or remove the route from the " +
          "program if the change was deliberate).",
      );
    });
  });

  describe("concurrent writers", () => {
    const racer = (n: number): QueueConfiguration => ({
      Id: `racer-${n}`,
      QueueArn: queue(`racer-${n}`),
      Events: ["s3:ObjectTagging:*"],
      Filter: { Key: { FilterRules: [{ Name: "prefix", Value: `racer-${n}/` }] } },
    });

    it("detects a writer that read before our Put and wrote after it, and writes again keeping its entry", async () => {
      withConsoleEntries(s3);
      s3.hooks.afterPut = ({ bucket, count, before, s3: standIn }) => {
        // The other writer's view is the configuration before our Put: writing it back drops our entries.
        if (count === 1)
          standIn.put(bucket, {
            ...before,
            QueueConfigurations: [...(before.QueueConfigurations ?? []), racer(1)],
          });
      };
      await provider.create(inputs(A, { lambdaFunctions: [thumbs] }));
      assert.equal(s3.puts, 2);
      assert.deepEqual(ids(s3.get(BUCKET)), ["console-audit", "console-logs", `${A}:thumbs`, "racer-1"]);
    });

    it("restarts before writing when the configuration changed between its read and its write", async () => {
      withConsoleEntries(s3);
      s3.hooks.afterGet = ({ bucket, count, s3: standIn }) => {
        if (count === 1)
          standIn.edit(bucket, (c) => (c.QueueConfigurations = [...(c.QueueConfigurations ?? []), racer(1)]));
      };
      await provider.create(inputs(A, { lambdaFunctions: [thumbs] }));
      assert.equal(s3.puts, 1, "nothing was written from the stale read");
      assert.deepEqual(ids(s3.get(BUCKET)), ["console-audit", "console-logs", `${A}:thumbs`, "racer-1"]);
    });

    it("stops with the conflict when a racing writer's new entry overlaps ours, recording what is live", async () => {
      s3.hooks.afterPut = ({ bucket, count, before, s3: standIn }) => {
        const raw: LambdaFunctionConfiguration = {
          Id: "console-raw",
          LambdaFunctionArn: fn("legacy"),
          Events: ["s3:ObjectCreated:Put"],
          Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "raw+photos/" }] } },
        };
        if (count === 1) standIn.put(bucket, { ...before, LambdaFunctionConfigurations: [raw] });
      };
      const error = await rejection(provider.create(inputs(A, { lambdaFunctions: [thumbs] })));
      assert.match(
        error.message,
        /^Bucket "shared-uploads": route "thumbs" of this stack \(.*\) overlaps the entry "console-raw" /,
      );
      assert.equal(error.id, BUCKET);
      assert.deepEqual(error.properties, { ...inputs(A), eventBridgeEnabledByUs: false });
      assert.deepEqual(ids(s3.get(BUCKET)), ["console-raw"]);
    });

    it("treats S3's OperationAborted as a lost race and tries again", async () => {
      s3.hooks.failPut = ({ count }) =>
        count === 1
          ? {
              name: "OperationAborted",
              message: "A conflicting conditional operation is currently in progress against this resource.",
            }
          : undefined;
      await provider.create(inputs(A, { queues: [archive] }));
      assert.equal(s3.puts, 2);
      assert.deepEqual(ids(s3.get(BUCKET)), [`${A}:archive`]);
    });

    it("fails with a clear error after 5 lost races, losing no foreign entry and recording what is live", async () => {
      withConsoleEntries(s3);
      s3.hooks.afterPut = ({ bucket, count, before, s3: standIn }) =>
        standIn.put(bucket, {
          ...before,
          QueueConfigurations: [...(before.QueueConfigurations ?? []), racer(count)],
        });
      const error = await rejection(provider.create(inputs(A, { lambdaFunctions: [thumbs] })));
      const lost = "another writer changed the configuration right after our write";
      assert.equal(
        error.message,
        `Bucket "${BUCKET}": another writer kept changing the notification configuration while this stack was writing ` +
          `its routes (attempt 1: ${lost}; attempt 2: ${lost}; attempt 3: ${lost}; attempt 4: ${lost}; attempt 5: ` +
          `${lost}). Gave up after 5 attempts rather than risk losing an entry. This stack's entries as they are now ` +
          "on the bucket were recorded. Run `pulumi up` again once the other writer is done.",
      );
      assert.equal(s3.puts, 5);
      assert.deepEqual(ids(s3.get(BUCKET)), [
        "console-audit",
        "console-logs",
        "racer-1",
        "racer-2",
        "racer-3",
        "racer-4",
        "racer-5",
      ]);
      // Pulumi records this as a partially created resource with what is really on the bucket.
      assert.equal(error.id, BUCKET);
      assert.deepEqual(error.properties, {
        ...inputs(A, { lambdaFunctions: [] }),
        eventBridgeEnabledByUs: false,
      });
    });

    it("residual window: a write landing between our last read and our Put is overwritten; a stack sees it as drift", async () => {
      // Stack B's write lands while our Put is in flight, after our last read: undetectable by us
      // (S3 has no conditional write), documented in the provider's comment.
      const bState: SharedNotificationState = {
        ...inputs(B, { queues: [invoices] }),
        eventBridgeEnabledByUs: false,
      };
      s3.hooks.beforePut = ({ bucket, count, s3: standIn }) => {
        if (count === 1)
          standIn.edit(bucket, (c) => (c.QueueConfigurations = [asS3(invoices) as QueueConfiguration]));
      };
      await provider.create(inputs(A, { queues: [archive] }));
      assert.deepEqual(ids(s3.get(BUCKET)), [`${A}:archive`]);
      const b = sharedNotificationProvider({ s3Client: (r) => s3.client(r) });
      const error = await rejection(b.diff!(BUCKET, bState, inputs(B, { queues: [invoices] })));
      assert.match(
        error.message,
        /^Bucket "shared-uploads": entry "pulumi:acme:billing:prod:invoices" of route "invoices" .* was removed outside Pulumi/,
      );
    });
  });

  describe("two stacks and a console entry on one bucket", () => {
    type Step = "create" | "update" | "delete";
    const stacks = {
      A: {
        ns: A,
        v1: inputs(A, { lambdaFunctions: [thumbs], queues: [archive] }),
        v2: inputs(A, { lambdaFunctions: [thumbs], topics: [docs] }),
      },
      B: {
        ns: B,
        v1: inputs(B, { queues: [invoices] }),
        v2: inputs(B, { queues: [{ ...invoices, events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"] }] }),
      },
    };
    const orders: ("A" | "B")[][] = [];
    const interleave = (a: number, b: number, prefix: ("A" | "B")[]) => {
      if (a === 0 && b === 0) orders.push(prefix);
      if (a > 0) interleave(a - 1, b, [...prefix, "A"]);
      if (b > 0) interleave(a, b - 1, [...prefix, "B"]);
    };
    interleave(3, 3, []);

    it(`adds and removes each stack's routes in all ${orders.length} interleavings without losing an entry`, async () => {
      assert.equal(orders.length, 20);
      for (const order of orders) {
        const standIn = new S3NotificationStandIn(BUCKET);
        withConsoleEntries(standIn, true);
        const consoleEntries = standIn.get(BUCKET);
        const providers = {
          A: sharedNotificationProvider({ s3Client: (r) => standIn.client(r), baseDelayMs: 0 }),
          B: sharedNotificationProvider({ s3Client: (r) => standIn.client(r), baseDelayMs: 0 }),
        };
        const state: Record<"A" | "B", SharedNotificationState | undefined> = { A: undefined, B: undefined };
        const next: Record<"A" | "B", Step> = { A: "create", B: "create" };
        for (const who of order) {
          const p = providers[who];
          const s = stacks[who];
          const step = next[who];
          if (step === "create") {
            const check = await p.check!({} as SharedNotificationInputs, s.v1);
            assert.deepEqual(check.failures, [], `${order.join("")}: ${who} check`);
            state[who] = (await p.create(s.v1)).outs;
            next[who] = "update";
          } else if (step === "update") {
            assert.deepEqual(await p.diff!(BUCKET, state[who]!, s.v2), { changes: true });
            state[who] = (await p.update!(BUCKET, state[who]!, s.v2)).outs;
            next[who] = "delete";
          } else {
            await p.delete!(BUCKET, state[who]!);
            state[who] = undefined;
          }
          const expected = [
            ...ids(consoleEntries),
            ...(["A", "B"] as const).flatMap((k) => [
              ...(state[k]?.lambdaFunctions ?? []).map((e) => e.id),
              ...(state[k]?.queues ?? []).map((e) => e.id),
              ...(state[k]?.topics ?? []).map((e) => e.id),
            ]),
          ].sort();
          const live = standIn.get(BUCKET);
          assert.deepEqual(ids(live), expected, `${order.join("")} after ${who} ${step}`);
          assert.deepEqual(live.LambdaFunctionConfigurations?.[0], CONSOLE_LOGS);
          assert.deepEqual(live.QueueConfigurations?.[0], CONSOLE_AUDIT);
          assert.deepEqual(live.EventBridgeConfiguration, {});
        }
        assert.deepEqual(
          standIn.get(BUCKET),
          consoleEntries,
          `${order.join("")}: back to the console's entries`,
        );
      }
    });
  });

  describe("as Pulumi runs it", () => {
    it("serializes with a small captured scope (only @aws-sdk/client-s3 is required) and works deserialized", async () => {
      // As pulumi.dynamic.Resource does: the provider object, serialized with what it references.
      const production = sharedNotificationProvider();
      const serialized = await pulumi.runtime.serializeFunction(() => production, { allowSecrets: false });
      const required = new Set([...serialized.text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
      assert.deepEqual([...required], ["@aws-sdk/client-s3"]);
      assert.ok(
        serialized.text.length < 100_000,
        `serialized provider is ${serialized.text.length} characters`,
      );

      // What the dynamic provider host does with the text (require-from-string), then a create.
      const mod: { exports: Record<string, unknown> } = { exports: {} };
      const load = vm.runInThisContext(`(function (exports, require, module) {${serialized.text}\n})`) as (
        exports: Record<string, unknown>,
        req: NodeJS.Require,
        module: { exports: Record<string, unknown> },
      ) => void;
      load(mod.exports, createRequire(__filename), mod);
      const deserialized = (mod.exports.handler as () => Provider)();
      const mock = s3.everyClient();
      try {
        withConsoleEntries(s3);
        await deserialized.create(inputs(A, { queues: [archive] }));
        assert.deepEqual(ids(s3.get(BUCKET)), ["console-audit", "console-logs", `${A}:archive`]);
      } finally {
        mock.restore();
      }
    });
  });
});
