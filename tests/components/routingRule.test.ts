/**
 * The routing rule: a route (and any grant it brings to a queue, topic or key) joins its bucket only
 * in the synchronous run that created the bucket. The same program gets the same answer on every
 * run, whatever the timers and the machine's load, and a route inside an apply is always an error.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { testCode } from "./harness";
import { ofType, runProgram } from "../../components/testing/mockEngine";
import { EventBucket, LambdaTarget, QueueTarget } from "../../components";
import { lateAdditionMessage, SealedList } from "../../model/sealedList";

const NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";

const LATE_ROUTE =
  'Route "late" of bucket "uploads" was added after the notification of bucket "uploads" was finalised. ' +
  "Declare it in the same synchronous part of the program as the resource it joins (before any await, " +
  "outside any apply), or pass it at construction.";

/** Busy-waits, to add latency the way a loaded machine does. */
function spin(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // burn CPU
  }
}

/** The ways a program can let time pass between declaring a bucket and adding a route. */
const pauses: Record<string, () => Promise<unknown>> = {
  "await of a resolved promise": () => Promise.resolve(),
  "setTimeout 0": () => new Promise((r) => setTimeout(r, 0)),
  "setTimeout 10 ms": () => new Promise((r) => setTimeout(r, 10)),
  setImmediate: () => new Promise((r) => setImmediate(r)),
  "process.nextTick": () => new Promise((r) => process.nextTick(r)),
  "setTimeout 0 under 20 ms of CPU load": () => {
    spin(20);
    return new Promise((r) => setTimeout(r, 0));
  },
};

describe("the routing rule: routes join in the synchronous run that declared the bucket", () => {
  it("accepts routes given at construction and added right after it, on every run, under load", async () => {
    for (let i = 0; i < 5; i++) {
      // Prepare / act
      const { errors, resources } = await runProgram(() => {
        const fn = new LambdaTarget("fn", { code: testCode });
        const bucket = new EventBucket("uploads", {
          routes: [{ name: "first", events: ["created"], filter: { prefix: "a/" }, target: fn }],
        });
        spin(i * 5);
        bucket.addRoute({ name: "late", events: ["created"], filter: { prefix: "b/" }, target: fn });
      });
      // Assess
      assert.deepEqual(errors, []);
      const notifications = ofType(resources, NOTIFICATION);
      assert.equal(notifications.length, 1);
      const ids = (notifications[0].inputs.lambdaFunctions as { id: string }[]).map((e) => e.id);
      assert.deepEqual(ids, ["first", "late"]);
    }
  });

  for (const [pause, wait] of Object.entries(pauses)) {
    it(`refuses a route added after ${pause}, with the same exact error on 5 runs out of 5`, async () => {
      const outcomes: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { errors, resources } = await runProgram(async () => {
          const bucket = new EventBucket("uploads");
          await wait();
          bucket.addRoute({ name: "late", events: ["created"], target: new QueueTarget(`q${i}`) });
        });
        outcomes.push(errors.map((e) => e.message).join("|"));
        // Exactly one notification, without the late route: never a second, silent resource.
        const notifications = ofType(resources, NOTIFICATION);
        assert.equal(notifications.length, 1);
        assert.deepEqual(notifications[0].inputs.queues, []);
      }
      assert.deepEqual(outcomes, Array(5).fill(LATE_ROUTE));
    });
  }

  it("refuses a route inside an apply, with the exact error, although mocks run applies at once", async () => {
    for (let i = 0; i < 3; i++) {
      const { errors, resources } = await runProgram(() => {
        const bucket = new EventBucket("uploads", { bucketName: "uploads-bucket" });
        const queue = new QueueTarget("q");
        bucket.bucketName.apply((name) =>
          bucket.addRoute({
            name: "late",
            events: ["created"],
            filter: { prefix: `${name}/` },
            target: queue,
          }),
        );
      });
      assert.deepEqual(
        errors.map((e) => e.message),
        [LATE_ROUTE],
      );
      assert.deepEqual(ofType(resources, NOTIFICATION)[0].inputs.queues, []);
    }
  });

  it("refuses a route inside an apply of an output that is already known (pulumi.output of a constant)", async () => {
    const { errors } = await runProgram(() => {
      const bucket = new EventBucket("uploads");
      pulumi
        .output("known")
        .apply(() => bucket.addRoute({ name: "late", events: ["created"], target: new QueueTarget("q") }));
    });
    assert.deepEqual(
      errors.map((e) => e.message),
      [LATE_ROUTE],
    );
  });

  it("refuses a queue grant from a bucket declared after an await, naming the queue's policy", async () => {
    const { errors, resources } = await runProgram(async () => {
      const queue = new QueueTarget("jobs");
      await new Promise((r) => setTimeout(r, 0));
      new EventBucket("uploads", { routes: [{ name: "jobs", events: ["created"], target: queue }] });
    });
    assert.deepEqual(
      errors.map((e) => e.message),
      [
        'Bucket "uploads" was added after the queue policy of sqs "jobs" was finalised. Declare it in the same ' +
          "synchronous part of the program as the resource it joins (before any await, outside any apply), or pass it at construction.",
      ],
    );
    // The queue's one policy holds only the TLS statement: the late grant never reached AWS.
    const policy = JSON.parse(ofType(resources, QUEUE_POLICY)[0].inputs.policy as string) as {
      Statement: { Sid: string }[];
    };
    assert.deepEqual(
      policy.Statement.map((s) => s.Sid),
      ["DenyInsecureTransport"],
    );
  });

  it("accepts everything declared after an await when the bucket and its targets are declared together after it", async () => {
    const { errors, resources } = await runProgram(async () => {
      await new Promise((r) => setTimeout(r, 10));
      const queue = new QueueTarget("jobs");
      const bucket = new EventBucket("uploads");
      bucket.addRoute({ name: "jobs", events: ["created"], target: queue });
    });
    assert.deepEqual(errors, []);
    const queues = ofType(resources, NOTIFICATION)[0].inputs.queues as { id: string }[];
    assert.deepEqual(
      queues.map((q) => q.id),
      ["jobs"],
    );
  });

  describe("SealedList", () => {
    it("seals at the first microtask: open in the creating run, closed for anything queued after", async () => {
      const list = new SealedList<number>("the list");
      list.add(1, "one");
      assert.equal(list.isSealed, false);
      await Promise.resolve();
      assert.equal(list.isSealed, true);
      assert.throws(() => list.add(2, "Two"), { message: lateAdditionMessage("Two", "the list") });
      assert.deepEqual(await list.values, [1]);
    });
  });
});
