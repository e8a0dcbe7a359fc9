/**
 * What AWS would refuse, refused first; credentials never in plain text; filter values encoded the
 * way S3 matches them (route → notification filter, --explain, the local loop's envelopes).
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ofType, one, runProgram } from "../../components/testing/mockEngine";
import {
  EventBucket,
  LambdaTarget,
  QueueTarget,
  StateMachineTarget,
  TopicTarget,
  WebhookTarget,
} from "../../components";
import { encodeFilterValue, filterMatchesKey, filtersOverlap, decodeS3Key } from "../../model/objectFilter";
import { readStackConfig } from "../../stackConfig";
import { parseS3Notifications } from "../../handlers/shared/events";
import { stateMachineDefinitionMessages } from "../../policies/stateMachines";
import { explain, PlanRoute } from "../../cli/planReport";
import { ObjectChange, s3Notification } from "../../cli/local/envelopes";
import { run, runError, testCode } from "./harness";

const ENDPOINT = "https://partner.example.com/hook";
const apiKey = { type: "apiKey" as const, header: "x-api-key", value: pulumi.secret("k") };

describe("credentials never in plain text", () => {
  it("refuses a webhook endpoint with user info, without echoing the password", async () => {
    assert.equal(
      await runError(
        () =>
          new WebhookTarget("w", { endpoint: "https://user:hunter2@partner.example.com/hook", auth: apiKey }),
      ),
      'WebhookTarget "w": endpoint "https://***@partner.example.com/hook" holds credentials (user:password@), which would be stored and shown in plain text. Secrets belong in the connection: give the URL without them and the credentials as auth (a secret).',
    );
  });

  for (const header of ["Authorization", "Proxy-Authorization", "X-Api-Key", "x-auth-token"]) {
    it(`refuses a plain-text ${header} header`, async () => {
      assert.equal(
        await runError(
          () =>
            new WebhookTarget("w", { endpoint: ENDPOINT, auth: apiKey, headers: { [header]: "Bearer abc" } }),
        ),
        `WebhookTarget "w": headers["${header}"] looks like a credential, and headers are stored in plain text on the EventBridge target. ` +
          `Put it in the connection: auth: { type: "apiKey", header: "${header}", value: config.requireSecret("...") }.`,
      );
    });
  }

  it("refuses any header value given as a secret, when it resolves", async () => {
    const result = await runProgram(() => {
      const hook = new WebhookTarget("w", {
        endpoint: ENDPOINT,
        auth: apiKey,
        headers: { "X-Tenant": pulumi.secret("acme") },
      });
      new EventBucket("b", { routes: [{ name: "hook", events: ["created"], target: hook }] });
    });
    const expected =
      'WebhookTarget "w": headers["X-Tenant"] is a secret, but headers are stored in plain text on the EventBridge target. ' +
      'Secrets belong in the connection: auth: { type: "apiKey", header: "X-Tenant", value: <the secret> }.';
    assert.ok(result.errors.length > 0);
    for (const e of result.errors) assert.ok(e.message.endsWith(expected), e.message);
  });

  it("sends plain headers, checked, on the rule target", async () => {
    const { resources } = await run(() => {
      const hook = new WebhookTarget("w", {
        endpoint: ENDPOINT,
        auth: apiKey,
        headers: { "X-Source": pulumi.output("s3"), "X-Env": "prod" },
      });
      new EventBucket("b", { routes: [{ name: "hook", events: ["created"], target: hook }] });
    });
    const [target] = ofType(resources, "aws:cloudwatch/eventTarget:EventTarget").filter(
      (t) => t.name === "w-b-hook",
    );
    assert.deepEqual(target.inputs.httpTarget, { headerParameters: { "X-Source": "s3", "X-Env": "prod" } });
    assert.deepEqual(target.secretInputs, []);
  });

  it("accepts credentials in an SNS HTTPS endpoint only as a secret", async () => {
    assert.equal(
      await runError(
        () =>
          new TopicTarget("t", {
            subscriptions: [{ protocol: "https", endpoint: "https://u:p@hooks.example.com/sns" }],
          }),
      ),
      'TopicTarget "t": subscriptions[0].endpoint "https://***@hooks.example.com/sns" holds credentials (user:password@), which would be stored and shown in plain text. Give the URL as a secret (config.requireSecret / pulumi.secret) so it is encrypted, or without credentials.',
    );
    const { resources } = await run(
      () =>
        new TopicTarget("t", {
          subscriptions: [
            { protocol: "https", endpoint: pulumi.secret("https://u:p@hooks.example.com/sns") },
          ],
        }),
    );
    const sub = one(resources, "aws:sns/topicSubscription:TopicSubscription", "t-sub-1");
    assert.deepEqual(sub.secretInputs, ["endpoint"]);
  });
});

describe("what AWS would refuse, refused first", () => {
  const cases: [string, () => unknown, string][] = [
    [
      "an email address without a dotted domain",
      () =>
        new TopicTarget("t", { subscriptions: [{ protocol: "email", endpoint: "Ops <ops@example.com>" }] }),
      'TopicTarget "t": subscriptions[0].endpoint "Ops <ops@example.com>" is not an email address. Give one like "ops@example.com" (no spaces, no display name).',
    ],
    [
      "an SMS number not in E.164",
      () => new TopicTarget("t", { subscriptions: [{ protocol: "sms", endpoint: "+1 555 555 0100" }] }),
      'TopicTarget "t": subscriptions[0].endpoint "+1 555 555 0100" is not a phone number in E.164 form. Give "+", the country code and the number, digits only, e.g. "+15555550100".',
    ],
    [
      "https:// with no host",
      () => new WebhookTarget("w", { endpoint: "https://", auth: apiKey }),
      'WebhookTarget "w": endpoint "https://" is not an HTTPS URL. EventBridge API destinations only call HTTPS endpoints, and events must not travel in clear text: use an https:// URL.',
    ],
    [
      "https:partner.example.com",
      () => new WebhookTarget("w", { endpoint: "https:partner.example.com", auth: apiKey }),
      'WebhookTarget "w": endpoint "https:partner.example.com" is not an HTTPS URL. EventBridge API destinations only call HTTPS endpoints, and events must not travel in clear text: use an https:// URL.',
    ],
    [
      "a URL with surrounding spaces",
      () => new WebhookTarget("w", { endpoint: ` ${ENDPOINT} `, auth: apiKey }),
      `WebhookTarget "w": endpoint " ${ENDPOINT} " contains white space. Remove it: AWS refuses such a URL.`,
    ],
    [
      "an ARN that is not an ARN",
      () => new TopicTarget("t", { existing: { arn: "alerts" } }),
      'TopicTarget "t": existing.arn "alerts" is not the ARN of an SNS topic. Give one like "arn:aws:sns:us-east-1:123456789012:alerts".',
    ],
    [
      'type: "express" in the wrong case',
      () =>
        new StateMachineTarget("m", {
          definition: { StartAt: "Done", States: { Done: { Type: "Succeed" } } },
          type: "express" as "EXPRESS",
        }),
      'StateMachineTarget "m": type "express" is not one of "STANDARD", "EXPRESS". Write "EXPRESS" (AWS spells it exactly so).',
    ],
    [
      "a definition that is not valid JSON",
      () => new StateMachineTarget("m", { definition: '{"StartAt": "Done", ' }),
      `StateMachineTarget "m": definition is not a valid Amazon States Language definition: it is not valid JSON (${jsonError('{"StartAt": "Done", ')}). Step Functions would refuse it; fix the definition (every StartAt, Next and Default must name a state).`,
    ],
    [
      "a definition whose Next names a missing state",
      () =>
        new StateMachineTarget("m", {
          definition: { StartAt: "Read", States: { Read: { Type: "Pass", Next: "Write" } } },
        }),
      `StateMachineTarget "m": definition is not a valid Amazon States Language definition: Missing 'StartAt'|'Next'|'Default' target: Write; State machine fsm1 is missing a terminal state. Step Functions would refuse it; fix the definition (every StartAt, Next and Default must name a state).`,
    ],
    [
      "a consumer timeout of 0 (a visibility timeout of 0)",
      () => new QueueTarget("q", { consumerTimeoutSeconds: 0 }),
      'QueueTarget "q": consumerTimeoutSeconds must be a whole number from 1 to 900, got 0.',
    ],
    [
      "an adopted function's timeout of 0",
      () =>
        new LambdaTarget("f", {
          existing: { arn: "arn:aws:lambda:us-east-1:123456789012:function:f", timeoutSeconds: 0 },
        }),
      'LambdaTarget "f": existing.timeoutSeconds must be a whole number from 1 to 900, got 0.',
    ],
  ];
  for (const [what, program, message] of cases) {
    it(`refuses ${what}, at construction`, async () => {
      let thrown: unknown;
      const first = await runError(() => {
        try {
          return program();
        } catch (e) {
          thrown = e;
          throw e;
        }
      });
      assert.equal(
        (thrown as Error | undefined)?.message,
        message,
        "thrown synchronously by the constructor",
      );
      assert.equal(first, message);
    });
  }

  it("derives the visibility timeout from a consumer timeout of 1 s: 6 s, never 0", async () => {
    const { resources } = await run(() => new QueueTarget("q", { consumerTimeoutSeconds: 1 }));
    assert.equal(one(resources, "aws:sqs/queue:Queue", "q").inputs.visibilityTimeoutSeconds, 6);
  });

  it("sends a valid definition as it was written", async () => {
    const definition = { StartAt: "Done", States: { Done: { Type: "Succeed" } } };
    const { resources } = await run(() => new StateMachineTarget("m", { definition, type: "EXPRESS" }));
    const machine = one(resources, "aws:sfn/stateMachine:StateMachine", "m");
    assert.deepEqual(
      [machine.inputs.definition, machine.inputs.type],
      [JSON.stringify(definition), "EXPRESS"],
    );
  });

  it("passes the ready workflow's own definition through the validator", async () => {
    await run(() => {
      const processor = new LambdaTarget("p", { code: testCode });
      new StateMachineTarget("m", { workflow: { processor } });
    });
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

describe("the policy pack's state machine check (sfn-state-machine-definition-valid)", () => {
  const machine = (definition: unknown) => ({
    type: "aws:sfn/stateMachine:StateMachine",
    name: "m",
    urn: "urn:pulumi:test::fixtures::aws:sfn/stateMachine:StateMachine::m",
    props: { definition },
    dependencies: [],
    propertyDependencies: {},
  });

  it("passes a valid definition and one not known yet", () => {
    assert.deepEqual(
      stateMachineDefinitionMessages(
        machine(JSON.stringify({ StartAt: "A", States: { A: { Type: "Succeed" } } })),
      ),
      [],
    );
    assert.deepEqual(stateMachineDefinitionMessages(machine(undefined)), []);
  });

  it("flags a definition whose StartAt names a missing state", () => {
    assert.deepEqual(
      stateMachineDefinitionMessages(
        machine(JSON.stringify({ StartAt: "B", States: { A: { Type: "Succeed" } } })),
      ),
      [
        `aws.sfn.StateMachine "m": definition is not valid Amazon States Language: State A is not reachable; ` +
          `Missing 'StartAt'|'Next'|'Default' target: B. Step Functions refuses it at deploy time (InvalidDefinition). ` +
          `Fix the definition: JSON with StartAt and States, every StartAt, Next and Default naming a state, and a terminal state.`,
      ],
    );
  });

  it("flags a definition that is not JSON", () => {
    assert.deepEqual(stateMachineDefinitionMessages(machine("{")), [
      `aws.sfn.StateMachine "m": definition is not valid Amazon States Language: it is not valid JSON (${jsonError("{")}). ` +
        `Step Functions refuses it at deploy time (InvalidDefinition). Fix the definition: JSON with StartAt and States, ` +
        `every StartAt, Next and Default naming a state, and a terminal state.`,
    ]);
  });
});

describe("filter encoding: as S3 writes keys in events and matches filters against them", () => {
  const special: [string, string][] = [
    ["!", "%21"],
    ["'", "%27"],
    ["(", "%28"],
    [")", "%29"],
    ["~", "%7E"],
    [" ", "+"],
    ["+", "%2B"],
    ["=", "%3D"],
    ["@", "%40"],
    ["é", "%C3%A9"],
  ];

  it("encodes each special character as S3's form encoding does, keeping / and * . - _", () => {
    for (const [c, encoded] of special) assert.equal(encodeFilterValue(`a${c}/b`), `a${encoded}/b`, c);
    assert.equal(encodeFilterValue("x*y.z-_/"), "x*y.z-_/");
  });

  for (const [c, encoded] of special) {
    it(`writes a prefix and suffix holding ${JSON.stringify(c)} encoded into the notification, and --explain and the local loop agree`, async () => {
      const prefix = `in${c}box/`;
      const suffix = `${c}.jpg`;
      const key = `in${c}box/photo ${c}1${c}.jpg`;
      const { resources } = await run(() => {
        const fn = new LambdaTarget("f", { code: testCode });
        new EventBucket("b", {
          routes: [{ name: "r", events: ["created"], filter: { prefix, suffix }, target: fn }],
        });
      });
      const entry = (
        one(resources, "aws:s3/bucketNotification:BucketNotification", "b-notification").inputs
          .lambdaFunctions as Record<string, unknown>[]
      )[0];
      assert.deepEqual([entry.filterPrefix, entry.filterSuffix], [`in${encoded}box/`, `${encoded}.jpg`]);

      // The local loop's envelope carries the key as S3 does; the filter, as written, matches it.
      const change: ObjectChange = {
        bucket: "b",
        key,
        eventName: "ObjectCreated:Put",
        eventTime: "2026-12-01T00:00:00.000Z",
        size: 1,
        sequencer: "0A",
        sourceIp: "127.0.0.1",
        requestId: "R",
        region: "us-east-1",
      };
      const envelope = s3Notification(change, "r") as { Records: { s3: { object: { key: string } } }[] };
      const eventKey = envelope.Records[0].s3.object.key;
      assert.equal(eventKey, encodeFilterValue(key));
      assert.ok(
        eventKey.startsWith(entry.filterPrefix as string) && eventKey.endsWith(entry.filterSuffix as string),
      );
      assert.equal(parseS3Notifications(envelope)[0].key, key);
      assert.equal(decodeS3Key(eventKey), key);

      // --explain matches the key the way S3 does.
      const route: PlanRoute = {
        bucket: "b",
        route: "r",
        events: ["s3:ObjectCreated:*"],
        prefix,
        suffix,
        delivery: "native",
        target: 'lambda "f"',
      };
      assert.deepEqual(
        explain([route], "b", key).map((v) => v.reaches),
        [true],
      );
      assert.deepEqual(
        explain([route], "b", `in${c}box/photo.png`).map((v) => v.reaches),
        [false],
      );
    });
  }

  it("compares suffixes encoded, as S3 does: a suffix of 2B matches a key ending in + (written %2B)", () => {
    assert.equal(filterMatchesKey({ suffix: "2B" }, "c+"), true);
    assert.equal(filtersOverlap({ suffix: "2B" }, { suffix: "+" }), true);
    assert.equal(filtersOverlap({ prefix: "a(" }, { prefix: "a)" }), false);
  });

  it("refuses a lone surrogate with a message, never a URIError", () => {
    assert.throws(() => encodeFilterValue("a\uD800"), {
      message:
        '"a\\ud800" holds a lone UTF-16 surrogate, which no S3 key (UTF-8) can hold: fix the string\'s characters.',
    });
  });
});

describe("the stack config reader", () => {
  /** A stand-in for pulumi.Config with the given values. */
  function config(values: Record<string, string>): pulumi.Config {
    return {
      name: "s3-event-routes",
      get: (k: string) => values[k],
      getNumber: (k: string) => (values[k] === undefined ? undefined : Number(values[k])),
      getObject: (k: string) => (values[k] === undefined ? undefined : JSON.parse(values[k])),
      getSecret: (k: string) => (values[k] === undefined ? undefined : pulumi.secret(values[k])),
    } as unknown as pulumi.Config;
  }
  const base = { alertEmail: "ops@example.com", activityEmail: "team@example.com", partnerApiKey: "k" };

  it("accepts a valid HTTPS:// endpoint", () => {
    assert.equal(
      readStackConfig(config({ ...base, partnerWebhookUrl: "HTTPS://partner.example.com/hook" }))
        .partnerWebhookUrl,
      "HTTPS://partner.example.com/hook",
    );
  });

  it("refuses an endpoint with user info, without echoing the password", () => {
    assert.throws(
      () =>
        readStackConfig(config({ ...base, partnerWebhookUrl: "https://u:hunter2@partner.example.com/hook" })),
      {
        message:
          'Config "s3-event-routes:partnerWebhookUrl" must not hold credentials (user:password@), got "https://***@partner.example.com/hook": ' +
          "they would be in plain text in the stack's config and on the API destination; the key belongs in partnerApiKey " +
          "(pulumi config set --secret partnerApiKey <key>). Set it with: pulumi config set partnerWebhookUrl https://partner.example.com/hook",
      },
    );
  });

  it("refuses https: without slashes, and surrounding spaces", () => {
    for (const url of ["https:partner.example.com", " https://partner.example.com/hook"]) {
      assert.throws(() => readStackConfig(config({ ...base, partnerWebhookUrl: url })), {
        message:
          `Config "s3-event-routes:partnerWebhookUrl" must be an https:// URL, got ${JSON.stringify(url)} (a host after https://, no white space). ` +
          "Set it with: pulumi config set partnerWebhookUrl https://partner.example.com/hook",
      });
    }
  });
});
