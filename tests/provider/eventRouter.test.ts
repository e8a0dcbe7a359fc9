/**
 * EventRouter in-process, under the mock engine: what the plain form adds to the components —
 * targets by kind, references by name, adoption, outputs only where the schema takes them — each
 * with its exact message. The gRPC path is tested in provider.test.ts.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ofType, one } from "../../components/testing/mockEngine";
import { run, runError, testCode } from "../components/harness";
import { EventRouter } from "../../provider/eventRouter";
import { EventRouterArgs, TargetKind } from "../../provider/routerArgs";
import { INPUT_FIELDS, routerErrors } from "../../provider/routerErrors";

const OWNER = 'EventRouter "r"';
const NAMES = ["fn", "q"];

/** A router with a function and a queue consumed by it, one route each; `change` edits the args. */
function args(change: (a: EventRouterArgs) => void = () => {}): EventRouterArgs {
  const a = {
    targets: [
      { name: "fn", kind: TargetKind.Lambda, lambda: { code: testCode.code } },
      { name: "q", kind: TargetKind.Queue, queue: {} },
    ],
    routes: [
      { name: "images", events: ["created"], prefix: "images/", target: "fn" },
      { name: "docs", events: ["created"], prefix: "docs/", target: "q" },
    ],
  } as EventRouterArgs;
  change(a);
  return a;
}

describe("EventRouter (in-process, mock engine)", () => {
  it("builds the components under the router: one notification, targets named <router>-<target>", async () => {
    const { resources } = await run(() => void new EventRouter("r", args()));
    const router = one(resources, "s3-event-routes:index:EventRouter", "r");
    assert.equal(one(resources, "s3-event-routes:index:EventBucket", "r").parent, router.urn);
    assert.equal(one(resources, "s3-event-routes:index:LambdaTarget", "r-fn").parent, router.urn);
    assert.equal(one(resources, "s3-event-routes:index:QueueTarget", "r-q").parent, router.urn);
    const [notification] = ofType(resources, "aws:s3/bucketNotification:BucketNotification");
    assert.deepEqual(
      (notification.inputs.lambdaFunctions as { id: string }[]).map((e) => e.id),
      ["images"],
    );
    assert.deepEqual(
      (notification.inputs.queues as { id: string }[]).map((e) => e.id),
      ["docs"],
    );
    assert.deepEqual(one(resources, "aws:lambda/function:Function", "r-fn").inputs.handler, "index.handler");
  });

  it("adopts a bucket by name, and a function and queue by ARN", async () => {
    const { resources } = await run(
      () =>
        void new EventRouter(
          "r",
          args((a) => {
            a.existing = { bucketName: "their-bucket" };
            a.targets[0].lambda = {
              existingArn: pulumi.output("arn:aws:lambda:us-east-1:123456789012:function:theirs"),
            };
            a.targets[1].queue = {
              existingArn: "arn:aws:sqs:us-east-1:123456789012:theirs",
              existingUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/theirs",
            };
          }),
        ),
    );
    assert.deepEqual(ofType(resources, "aws:s3/bucket:Bucket"), []);
    assert.deepEqual(ofType(resources, "aws:lambda/function:Function"), []);
    assert.equal(
      one(resources, "aws:lambda/permission:Permission", "r-fn-from-r").inputs.function,
      "arn:aws:lambda:us-east-1:123456789012:function:theirs",
    );
    // An adopted queue's policy is never replaced: only this stack's statements are added to it.
    assert.deepEqual(
      ofType(resources, "aws:sqs/queuePolicy:QueuePolicy").map((r) => r.name),
      ["r-fn-failures-policy"],
    );
    const shared = one(resources, "pulumi-nodejs:dynamic:Resource", "r-q-policy").inputs;
    assert.equal(shared.kind, "sqs");
    assert.equal(shared.url, "https://sqs.us-east-1.amazonaws.com/123456789012/theirs");
    assert.equal(shared.arn, "arn:aws:sqs:us-east-1:123456789012:theirs");
  });

  describe("refuses what the plain form gets wrong, with the router's exact message", () => {
    const cases: [string, (a: EventRouterArgs) => void, string][] = [
      [
        "a route to an undeclared target",
        (a) => (a.routes[1].target = "qq"),
        routerErrors.unknownTarget(OWNER, 'route "docs"', "target", "qq", NAMES),
      ],
      [
        "two targets with one name",
        (a) => (a.targets[1].name = "fn"),
        routerErrors.duplicateTarget(OWNER, "fn"),
      ],
      [
        "a target name that cannot name resources",
        (a) => (a.targets[1].name = "my queue"),
        routerErrors.targetName(OWNER, 1, "my queue"),
      ],
      [
        "an unknown kind",
        (a) => (a.targets[1].kind = "bucket" as TargetKind),
        routerErrors.unknownKind(OWNER, "q", "bucket"),
      ],
      [
        "settings of another kind",
        (a) => (a.targets[1].lambda = { code: testCode.code }),
        routerErrors.foreignSettings(OWNER, "q", "queue", ["lambda"]),
      ],
      [
        "a function without settings",
        (a) => delete a.targets[0].lambda,
        routerErrors.missingSettings(OWNER, "fn", "lambda", "code or existingArn"),
      ],
      [
        "a queue consumer that is not a function",
        (a) => (a.targets[1].queue = { consumer: "q" }),
        routerErrors.wrongKind(OWNER, 'target "q"', "queue.consumer", "q", "queue", "lambda"),
      ],
      [
        "an adopted queue without its URL",
        (a) => (a.targets[1].queue = { existingArn: "arn:aws:sqs:us-east-1:123456789012:theirs" }),
        routerErrors.queuePair(OWNER, "q"),
      ],
      [
        "an output where plain data is needed",
        (a) => (a.routes[0].prefix = pulumi.output("images/") as unknown as string),
        routerErrors.notPlain(OWNER, "routes[0].prefix"),
      ],
      [
        "routes that are not a list",
        (a) => (a.routes = "images" as unknown as []),
        routerErrors.notList(OWNER, "routes", `[{ events: ["created"], target: "thumbnails" }]`),
      ],
    ];
    for (const [what, change, message] of cases) {
      it(what, async () => {
        assert.equal(await runError(() => new EventRouter("r", args(change))), message);
      });
    }

    it("names every field that takes outputs", () => {
      assert.equal(
        routerErrors.notPlain(OWNER, "routes[0].prefix"),
        'EventRouter "r": "routes[0].prefix" must be plain data known when the program runs, but it is an output ' +
          "(another resource's value, an unknown, or a secret inside a field that takes none). Outputs are " +
          "accepted only in targets[].lambda.existingArn, targets[].lambda.environment.*, " +
          "targets[].stateMachine.definition, targets[].stateMachine.existingArn, targets[].webhook.auth.secret.",
      );
      assert.equal(INPUT_FIELDS.length, 5);
    });
  });

  it("passes the components' own messages through unchanged", async () => {
    const message = await runError(
      () =>
        new EventRouter(
          "r",
          args((a) => (a.routes[1].prefix = "images/")),
        ),
    );
    assert.match(
      message,
      /^Routes "images" and "docs" on bucket "r" overlap: both receive s3:ObjectCreated:\*/,
    );
    const range = await runError(
      () =>
        new EventRouter(
          "r",
          args((a) => (a.targets[1].queue = { maxReceiveCount: 2 })),
        ),
    );
    assert.equal(range, 'QueueTarget "r-q": maxReceiveCount must be a whole number from 5 to 1000, got 2.');
  });
});
