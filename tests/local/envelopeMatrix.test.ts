/**
 * The envelope matrix, derived from the wiring: every target kind is routed with every delivery
 * (native, EventBridge, rerouted by `onOverlap: "eventbridge"`) under the mock engine; what the
 * components refuse is not wireable, and what they wire is read back as the local loop reads it
 * (cli/local/topology). Each path from the bucket to a reader (a function, a queue's consumer, a
 * workflow, a webhook) is followed hop by hop, the envelope AWS delivers is built at each hop (the
 * local loop's builders), and the parser must read the one object change from it. A wiring the
 * components gain without a parser path fails here: its hop has no envelope, or its envelope no
 * record.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
  EventBucket,
  LambdaTarget,
  QueueTarget,
  StateMachineTarget,
  TopicTarget,
  WebhookTarget,
} from "../../components";
import { applyInputTransformer } from "../../model/inputTransformer";
import { runProgram } from "../../components/testing/mockEngine";
import { parseS3Notifications, S3ObjectEvent } from "../../handlers/shared/events";
import {
  eventBridgeObjectEvent,
  ObjectChange,
  s3Notification,
  snsLambdaEvent,
  snsNotification,
  sqsRecord,
} from "../../cli/local/envelopes";
import { readTopology, Topology } from "../../cli/local/topology";
import "../components/harness";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

/** Code that is not a reference handler (the topology then does not bundle them to compare). */
const code = {
  code: new pulumi.asset.AssetArchive({
    "main.js": new pulumi.asset.StringAsset("exports.handler = async () => {};"),
  }),
  handler: "main.handler",
};

type TargetKind = "lambda" | "queue" | "topic" | "stateMachine" | "webhook";
type Delivery = "native" | "eventbridge" | "rerouted";

const TARGET_KINDS: readonly TargetKind[] = ["lambda", "queue", "topic", "stateMachine", "webhook"];
const DELIVERIES: readonly Delivery[] = ["native", "eventbridge", "rerouted"];

/** One target of each kind, with every subscriber and consumer the components offer. */
function target(
  kind: TargetKind,
): LambdaTarget | QueueTarget | TopicTarget | StateMachineTarget | WebhookTarget {
  const fn = (name: string) => new LambdaTarget(`${kind}-${name}`, { code });
  const queue = (name: string) =>
    new QueueTarget(`${kind}-${name}`, { consumer: { function: fn(`${name}-reader`) } });
  switch (kind) {
    case "lambda":
      return fn("reader");
    case "queue":
      return queue("inbox");
    case "topic":
      return new TopicTarget(`${kind}-fanout`, {
        encryption: "none",
        subscriptions: [
          { protocol: "lambda", function: fn("subscriber") },
          { protocol: "sqs", queue: queue("wrapped") },
          { protocol: "sqs", queue: queue("raw"), rawMessageDelivery: true },
          { protocol: "https", endpoint: "https://hooks.example.com/sns" },
          { protocol: "email", endpoint: "ops@example.com" },
        ],
      });
    case "stateMachine":
      return new StateMachineTarget(`${kind}-workflow`, { workflow: { processor: fn("step") } });
    case "webhook":
      return new WebhookTarget(`${kind}-partner`, {
        endpoint: "https://partner.example.com/s3-events",
        auth: { type: "apiKey", header: "x-api-key", value: pulumi.secret("k3y") },
      });
  }
}

/**
 * Routes a target of every kind with one delivery, each on a bucket named after the kind; the route
 * under test is named "route". A combination the components refuse is noted in `refused`.
 */
function program(delivery: Delivery, refused: string[]): () => void {
  return () => {
    for (const kind of TARGET_KINDS) {
      try {
        const to = target(kind);
        if (delivery === "rerouted") {
          new EventBucket(kind, {
            onOverlap: "eventbridge",
            routes: [
              { name: "first", events: ["created"], target: new LambdaTarget(`${kind}-first`, { code }) },
              { name: "route", events: ["created"], target: to },
            ],
          });
        } else {
          new EventBucket(kind, { routes: [{ name: "route", events: ["created"], delivery, target: to }] });
        }
      } catch (error) {
        const message = (error as Error).message;
        refused.push(
          `${kind}/${delivery}: ${message.includes("cannot be a native S3 destination") ? "not a native destination" : message}`,
        );
      }
    }
  };
}

const CHANGE: ObjectChange = {
  bucket: "",
  key: "raw photos/Été à Paris+1 (2).jpg",
  eventName: "ObjectCreated:Put",
  eventTime: "2025-11-12T10:15:30.000Z",
  size: 1024,
  eTag: "b1946ac92492d2347c6235b4d2611184",
  sequencer: "0055AED6DCD90281E5",
  sourceIp: "203.0.113.10",
  requestId: "C3D13FE58DE4C810",
  region: REGION,
};

/** One way an event reaches a reader: the hops, the reader, and the record it parsed. */
interface Path {
  hops: string[];
  records: S3ObjectEvent[];
}

let messageCount = 0;

/** Follows one delivery from `arn` onwards, returning every reader's parse. */
function follow(
  topology: Topology,
  arn: string,
  payload: { kind: "s3" | "eventbridge" | "payload"; body: unknown },
  hops: string[],
): Path[] {
  const fn = topology.functions.find((f) => f.arn === arn);
  if (fn) return [{ hops: [...hops, "lambda"], records: parseS3Notifications(payload.body) }];
  const queue = topology.queues.find((q) => q.arn === arn);
  if (queue) {
    assert.ok(queue.consumer, `${hops.join(" → ")} → queue ${queue.name}: no consumer reads it`);
    const messageId = `m-${++messageCount}`;
    const body = typeof payload.body === "string" ? payload.body : JSON.stringify(payload.body);
    const record = sqsRecord(
      { messageId, body, sentTimestamp: 1, firstReceiveTimestamp: 2, receiveCount: 1 },
      queue.arn,
    );
    return [{ hops: [...hops, "sqs", "lambda"], records: parseS3Notifications({ Records: [record] }) }];
  }
  const topic = topology.topics.find((t) => t.arn === arn);
  if (topic) {
    const message = typeof payload.body === "string" ? payload.body : JSON.stringify(payload.body);
    const notification = snsNotification(
      topic.arn,
      message,
      payload.kind === "s3" ? "Amazon S3 Notification" : undefined,
    );
    return topic.subscriptions.flatMap((sub): Path[] => {
      switch (sub.protocol) {
        case "lambda":
          return [
            {
              hops: [...hops, "sns", "lambda"],
              records: parseS3Notifications(snsLambdaEvent(notification, `${topic.arn}:${sub.name}`)),
            },
          ];
        case "sqs":
          return follow(
            topology,
            sub.endpoint,
            { kind: payload.kind, body: sub.raw ? message : JSON.stringify(notification, null, 2) },
            [...hops, sub.raw ? "sns(raw)" : "sns"],
          );
        case "email":
        case "email-json":
        case "sms":
        case "https":
          return []; // people and HTTP endpoints of others: no handler of this product reads these
        default:
          throw new Error(`${hops.join(" → ")} → sns → ${sub.protocol}: no envelope for this subscriber`);
      }
    });
  }
  if (topology.stateMachines.some((m) => m.arn === arn)) {
    return [{ hops: [...hops, "stepfunctions"], records: parseS3Notifications(payload.body) }];
  }
  if (topology.apiDestinations.some((d) => d.arn === arn)) {
    return [{ hops: [...hops, "webhook"], records: parseS3Notifications(payload.body) }];
  }
  throw new Error(`${hops.join(" → ")} → ${arn}: no envelope for this destination`);
}

/** Every path of the route named "route" in the wired stack. */
function paths(topology: Topology, kind: TargetKind): Path[] {
  const route = topology.routes.find((r) => r.route === "route" && r.bucket === kind);
  assert.ok(route, "the route under test is in the plan");
  const bucket = route.bucketName ?? topology.buckets[0];
  const change = { ...CHANGE, bucket };
  if (route.delivery === "native") {
    const arn = topology.nativeDestinations.get(`${bucket}/route`);
    assert.ok(arn, "the native route has a notification entry");
    return follow(topology, arn, { kind: "s3", body: s3Notification(change, "route") }, ["s3"]);
  }
  const event = eventBridgeObjectEvent(change, ACCOUNT);
  assert.ok(event);
  const rule = topology.rules.find((r) => r.name === `${route.bucket}-${route.route}`);
  assert.ok(rule, "the EventBridge route has a rule");
  return rule.targets.flatMap((t) =>
    follow(
      topology,
      t.arn,
      t.inputTransformer
        ? { kind: "payload", body: JSON.parse(applyInputTransformer(t.inputTransformer, event)) }
        : { kind: "eventbridge", body: event },
      [route.reroutedFrom ? "eventbridge(rerouted)" : "eventbridge"],
    ),
  );
}

describe("envelope matrix: every path the components wire parses to the one object change", () => {
  const wired: string[] = [];
  const refused: string[] = [];

  for (const delivery of DELIVERIES) {
    it(`every target kind, ${delivery} delivery`, async function () {
      this.timeout(120_000);
      const run = await runProgram(program(delivery, refused));
      assert.deepStrictEqual(run.errors, []);
      const topology = await readTopology(run.resources, REGION, ACCOUNT);
      for (const kind of TARGET_KINDS) {
        if (refused.some((r) => r.startsWith(`${kind}/${delivery}:`))) continue;
        const found = paths(topology, kind);
        assert.ok(found.length > 0, `${kind}/${delivery}: at least one reader`);
        const bucket = topology.routes.find((r) => r.route === "route" && r.bucket === kind)?.bucketName;
        for (const path of found) {
          const where = `${kind}/${delivery}: ${path.hops.join(" → ")}`;
          assert.equal(path.records.length, 1, where);
          const { source, messageId, ...record } = path.records[0];
          assert.deepStrictEqual(
            record,
            {
              region: REGION,
              bucket,
              key: CHANGE.key,
              eventName: "ObjectCreated:Put",
              eventTime: CHANGE.eventTime,
              size: 1024,
              eTag: CHANGE.eTag,
              sequencer: CHANGE.sequencer,
            },
            where,
          );
          wired.push(`${where} = ${source}${messageId ? " +messageId" : ""}`);
        }
      }
    });
  }

  it("covers exactly these paths (the components refuse the rest)", () => {
    assert.deepStrictEqual(refused, [
      "stateMachine/native: not a native destination",
      "webhook/native: not a native destination",
    ]);
    // The set of paths is the contract; the order a topic's subscriptions register in is not.
    assert.deepStrictEqual(
      [...wired].sort(),
      [
        "lambda/native: s3 → lambda = s3",
        "queue/native: s3 → sqs → lambda = sqs +messageId",
        "topic/native: s3 → sns → lambda = sns",
        "topic/native: s3 → sns → sqs → lambda = sns-sqs +messageId",
        "topic/native: s3 → sns(raw) → sqs → lambda = sqs +messageId",
        "lambda/eventbridge: eventbridge → lambda = eventbridge",
        "queue/eventbridge: eventbridge → sqs → lambda = eventbridge-sqs +messageId",
        "topic/eventbridge: eventbridge → sns → lambda = eventbridge-sns",
        "topic/eventbridge: eventbridge → sns → sqs → lambda = eventbridge-sns-sqs +messageId",
        "topic/eventbridge: eventbridge → sns(raw) → sqs → lambda = eventbridge-sqs +messageId",
        "stateMachine/eventbridge: eventbridge → stepfunctions = payload",
        "webhook/eventbridge: eventbridge → webhook = payload",
        "lambda/rerouted: eventbridge(rerouted) → lambda = eventbridge",
        "queue/rerouted: eventbridge(rerouted) → sqs → lambda = eventbridge-sqs +messageId",
        "topic/rerouted: eventbridge(rerouted) → sns → lambda = eventbridge-sns",
        "topic/rerouted: eventbridge(rerouted) → sns → sqs → lambda = eventbridge-sns-sqs +messageId",
        "topic/rerouted: eventbridge(rerouted) → sns(raw) → sqs → lambda = eventbridge-sqs +messageId",
        "stateMachine/rerouted: eventbridge → stepfunctions = payload",
        "webhook/rerouted: eventbridge → webhook = payload",
      ].sort(),
    );
  });
});
