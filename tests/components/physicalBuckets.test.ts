/**
 * Rules that hold per physical bucket, whichever EventBucket of the stack holds the routes: unique
 * route names (one entry Id each), no created-and-adopted bucket, S3's overlap rule, and chains of
 * handlers that trigger each other across buckets.
 */
import { strict as assert } from "node:assert";
import { run, runError, testCode } from "./harness";
import { ofType } from "../../components/testing/mockEngine";
import { EventBucket, LambdaTarget, QueueTarget } from "../../components";

const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
const NAMESPACE = "pulumi:organization:s3-event-routes:test";

describe("one physical bucket, several EventBuckets of one stack", () => {
  it("refuses two adopted EventBuckets with the same route name on one bucket: they would claim one entry Id", async () => {
    const message = await runError(() => {
      const jobs = new QueueTarget("jobs");
      const audit = new QueueTarget("audit");
      new EventBucket("media-a", {
        existing: { bucketName: "team-media" },
        routes: [{ name: "ingest", events: ["created"], filter: { prefix: "a/" }, target: jobs }],
      });
      new EventBucket("media-b", {
        existing: { bucketName: "team-media" },
        routes: [{ name: "ingest", events: ["created"], filter: { prefix: "b/" }, target: audit }],
      });
    });
    assert.equal(
      message,
      'Bucket "media-b", route "ingest": EventBucket "media-a" of this stack already has a route "ingest" on bucket ' +
        `"team-media". Both would claim the entry Id "${NAMESPACE}:ingest", and deleting one would remove the other's ` +
        "live entry. Route names are unique per physical bucket, whichever component holds them: give this route " +
        "another name, or declare both routes on one EventBucket.",
    );
  });

  it("refuses the same route name added later with addRoute, and an EventBridge route of the same name", async () => {
    const message = await runError(() => {
      const jobs = new QueueTarget("jobs");
      new EventBucket("media-a", { existing: { bucketName: "team-media" } }).addRoute({
        name: "ingest",
        events: ["created"],
        filter: { prefix: "a/" },
        target: jobs,
      });
      new EventBucket("media-b", { existing: { bucketName: "team-media" } }).addRoute({
        name: "ingest",
        events: ["removed"],
        delivery: "eventbridge",
        target: jobs,
      });
    });
    assert.match(
      message,
      /^Bucket "media-b", route "ingest": EventBucket "media-a" of this stack already has a route/,
    );
  });

  it("lets two adopted EventBuckets share a bucket with distinct, disjoint routes: two resources, distinct Ids", async () => {
    const { resources } = await run(() => {
      const jobs = new QueueTarget("jobs");
      new EventBucket("media-a", {
        existing: { bucketName: "team-media" },
        routes: [{ name: "a", events: ["created"], filter: { prefix: "a/" }, target: jobs }],
      });
      new EventBucket("media-b", {
        existing: { bucketName: "team-media" },
        routes: [{ name: "b", events: ["created"], filter: { prefix: "b/" }, target: jobs }],
      });
    });
    const ids = ofType(resources, DYNAMIC).map((r) => (r.inputs.queues as { id: string }[]).map((q) => q.id));
    assert.deepEqual(ids, [[`${NAMESPACE}:a`], [`${NAMESPACE}:b`]]);
  });

  it("refuses overlapping native routes held by two adopted EventBuckets of one bucket (S3 would refuse them)", async () => {
    const message = await runError(() => {
      const jobs = new QueueTarget("jobs");
      new EventBucket("media-a", {
        existing: { bucketName: "team-media" },
        routes: [{ name: "a", events: ["created"], filter: { prefix: "in/" }, target: jobs }],
      });
      new EventBucket("media-b", {
        existing: { bucketName: "team-media" },
        routes: [
          { name: "b", events: ["s3:ObjectCreated:Put"], filter: { prefix: "in/raw/" }, target: jobs },
        ],
      });
    });
    assert.equal(
      message,
      'EventBuckets "media-a" (route "a") and "media-b" (route "b") of this stack route the same bucket "team-media". ' +
        'Routes "a" and "b" on bucket "team-media" overlap: both receive s3:ObjectCreated:Put and their filters ' +
        '(prefix "in/" vs prefix "in/raw/") can match the same key, which S3 rejects ("Configuration is ambiguously ' +
        'defined"). Fan out through one SNS topic subscribed by both consumers, deliver one of them through ' +
        'EventBridge (delivery: "eventbridge"), or make their prefixes or suffixes disjoint.',
    );
  });

  it("refuses a bucket created here and adopted by another EventBucket, in either order", async () => {
    const adoptedSecond = await runError(() => {
      new EventBucket("owner", { bucketName: "team-media" });
      new EventBucket("guest", { existing: { bucketName: "team-media" } });
    });
    assert.equal(
      adoptedSecond,
      'EventBucket "guest" adopts bucket "team-media", which EventBucket "owner" of this stack already creates. A ' +
        "bucket created here gets one aws.s3.BucketNotification that writes its whole configuration, so it would " +
        "delete the entries of the adopted one. Declare every route of this bucket on the EventBucket that creates it.",
    );
    const createdSecond = await runError(() => {
      new EventBucket("guest", { existing: { bucketName: "team-media" } });
      new EventBucket("owner", { bucketName: "team-media" });
    });
    assert.equal(
      createdSecond,
      'EventBucket "owner" creates bucket "team-media", which EventBucket "guest" of this stack already adopts. A ' +
        "bucket created here gets one aws.s3.BucketNotification that writes its whole configuration, so it would " +
        "delete the entries of the adopted one. Declare every route of this bucket on the EventBucket that creates it.",
    );
    const twice = await runError(() => {
      new EventBucket("one", { bucketName: "team-media" });
      new EventBucket("two", { bucketName: "team-media" });
    });
    assert.equal(
      twice,
      'EventBucket "two" creates bucket "team-media", which EventBucket "one" of this stack already creates. A bucket ' +
        "name is unique in its partition: give one of them another bucketName.",
    );
  });

  it("does not carry one program's buckets into the next run in the same process", async () => {
    for (let i = 0; i < 2; i++) {
      await run(() => {
        new EventBucket("owner", { bucketName: "team-media" });
      });
    }
  });
});

describe("self-triggering, by physical bucket and across buckets", () => {
  const SELF =
    'Bucket "photos", route "thumbs": its target lambda "thumbnailer" writes objects (prefix "images/thumbs/") into ' +
    'this bucket that the route itself is notified of (prefix "images/"), so it would invoke itself forever. Write ' +
    "to another bucket or to a prefix outside the route's filter, or narrow the route's filter.";

  it("sees a write to the bucket's physical name as a write to itself", async () => {
    const message = await runError(() => {
      const fn = new LambdaTarget("thumbnailer", {
        code: testCode,
        writes: [{ bucket: "photos-bucket", filter: { prefix: "images/thumbs/" } }],
      });
      new EventBucket("photos", {
        bucketName: "photos-bucket",
        routes: [{ name: "thumbs", events: ["created"], filter: { prefix: "images/" }, target: fn }],
      });
    });
    assert.equal(message, SELF);
  });

  it("sees a write to another EventBucket adopting the same physical bucket as a write to itself", async () => {
    const message = await runError(() => {
      const other = new EventBucket("photos-view", { existing: { bucketName: "photos-bucket" } });
      const fn = new LambdaTarget("thumbnailer", {
        code: testCode,
        writes: [{ bucket: other, filter: { prefix: "images/thumbs/" } }],
      });
      new EventBucket("photos", {
        existing: { bucketName: "photos-bucket" },
        routes: [{ name: "thumbs", events: ["created"], filter: { prefix: "images/" }, target: fn }],
      });
    });
    assert.equal(message, SELF);
  });

  it("refuses a chain A → B → A (each handler writes where the other is notified), naming every step", async () => {
    const message = await runError(() => {
      const a = new EventBucket("inbox", { bucketName: "inbox-bucket" });
      const b = new EventBucket("outbox", { bucketName: "outbox-bucket" });
      const forward = new LambdaTarget("forward", {
        code: testCode,
        writes: [{ bucket: b, filter: { prefix: "out/" } }],
      });
      const reply = new LambdaTarget("reply", {
        code: testCode,
        writes: [{ bucket: "inbox-bucket", filter: { prefix: "in/replies/" } }],
      });
      a.addRoute({ name: "forward", events: ["created"], filter: { prefix: "in/" }, target: forward });
      b.addRoute({ name: "reply", events: ["created"], filter: { prefix: "out/" }, target: reply });
    });
    assert.equal(
      message,
      'Bucket "outbox", route "reply": its target lambda "reply" writes objects (prefix "in/replies/") into bucket ' +
        '"inbox-bucket" (EventBucket "inbox"), where route "forward" (prefix "in/") sends them to lambda "forward", ' +
        'which writes objects (prefix "out/") into bucket "outbox-bucket" (EventBucket "outbox"), where route "reply" ' +
        '(prefix "out/") is notified of them again: every object written triggers the chain again, forever. At one of ' +
        "these steps write to a prefix outside the next route's filter, or narrow that route's filter.",
    );
  });

  it("follows a chain through an auto-named bucket by component, and accepts a chain that ends", async () => {
    const loop = await runError(() => {
      const a = new EventBucket("a");
      const b = new EventBucket("b");
      const ab = new LambdaTarget("ab", { code: testCode, writes: [{ bucket: b, filter: {} }] });
      const ba = new LambdaTarget("ba", {
        code: testCode,
        writes: [{ bucket: a, filter: { prefix: "x/" } }],
      });
      a.addRoute({ name: "r", events: ["created"], target: ab });
      b.addRoute({ name: "r", events: ["created"], target: ba });
    });
    assert.match(
      loop,
      /^Bucket "b", route "r": its target lambda "ba" writes objects \(prefix "x\/"\) into the bucket of EventBucket "a", where route "r" \(the whole bucket\) sends them to lambda "ab"/,
    );
    await run(() => {
      const a = new EventBucket("a");
      const b = new EventBucket("b");
      const ab = new LambdaTarget("ab", { code: testCode, writes: [{ bucket: b, filter: {} }] });
      const ba = new LambdaTarget("ba", {
        code: testCode,
        writes: [{ bucket: a, filter: { prefix: "x/" } }],
      });
      a.addRoute({ name: "r", events: ["created"], filter: { prefix: "in/" }, target: ab });
      b.addRoute({ name: "r", events: ["created"], target: ba });
    });
  });
});
