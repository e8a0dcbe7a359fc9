/**
 * The component provider end to end, without the Pulumi CLI: the provider folder is started as
 * Pulumi's Node.js host starts a plugin, and answers GetSchema and Construct over gRPC to a test
 * engine and resource monitor (./testEngine.ts).
 *
 * - The schema its analyzer derives is the committed `provider/schema.json` (regenerate it with
 *   `UPDATE_PROVIDER_SCHEMA=1 npx mocha tests/provider/provider.test.ts`), and valid against
 *   Pulumi's package metaschema.
 * - Construct registers the same resources, with the same inputs, secrets and dependencies, as
 *   the TypeScript components register for the same stack under the mock engine.
 * - Preview (unknown values), resource references and secrets in the answer, bad input.
 *
 * The plugin is started once for the file: its start-up (ts-node type-checks the provider, as
 * the real host does) and the analyzer's TypeScript program are most of the time.
 */
import { strict as assert } from "node:assert";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { format, resolveConfig } from "prettier";
import { runProgram } from "../../components/testing/mockEngine";
import "../components/harness";
import { componentsProgram, routerInputs, API_KEY } from "./routerStack";
import {
  construct,
  getSchema,
  pluginVersion,
  Registration,
  RESOURCE_SIG,
  SECRET_SIG,
  SIG,
  startTestEngine,
  TestEngine,
  UNKNOWN,
} from "./testEngine";

const ROOT = join(__dirname, "..", "..");
const PLUGIN_DIR = join(ROOT, "provider");
const SCHEMA_FILE = join(PLUGIN_DIR, "schema.json");
const TOKEN = "s3-event-routes:index:EventRouter";
const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"));

/** `type::name` of a URN. */
function key(urn: string): string {
  const parts = urn.split("::");
  return `${parts[2].split("$").pop()}::${parts[3]}`;
}

/** A registration with URNs replaced by `type::name`, the router itself counted as the root. */
function normalise(
  r: {
    type: string;
    name: string;
    parent?: string;
    inputs: unknown;
    secretInputs: string[];
    dependencies: string[];
  },
  root: string[],
) {
  const atRoot = !r.parent || root.includes(r.parent) || r.parent.includes("::pulumi:pulumi:Stack::");
  const parent = atRoot ? "(root)" : key(r.parent!);
  return {
    resource: `${r.type}::${r.name}`,
    parent,
    inputs: r.inputs,
    secretInputs: [...r.secretInputs].sort(),
    dependencies: r.dependencies.map(key).sort(),
  };
}

describe("provider: EventRouter served as a component provider over gRPC", function () {
  this.timeout(600_000);
  let engine: TestEngine;

  before(async () => {
    engine = await startTestEngine(PLUGIN_DIR);
  });
  after(async () => {
    await engine?.stop();
  });

  describe("schema", () => {
    let schema: Record<string, unknown>;
    before(async () => {
      schema = await getSchema(engine);
      if (process.env.UPDATE_PROVIDER_SCHEMA === "1") {
        const options = await resolveConfig(SCHEMA_FILE);
        const text = await format(JSON.stringify(schema, null, 2), { ...options, filepath: SCHEMA_FILE });
        writeFileSync(SCHEMA_FILE, text);
      }
    });

    it("is the committed provider/schema.json", () => {
      assert.deepEqual(schema, readJson(SCHEMA_FILE));
    });

    it("is valid against Pulumi's package metaschema", () => {
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      // The two formats the metaschema uses that Ajv does not define itself.
      ajv.addFormat("regex", (s: string) => {
        try {
          return new RegExp(s) instanceof RegExp;
        } catch {
          return false;
        }
      });
      ajv.addFormat("uri-reference", (s: string) => URL.canParse(s, "https://example.com/"));
      const validate = ajv.compile(readJson(join(__dirname, "fixtures", "pulumi-package-metaschema.json")));
      const valid = validate(schema);
      assert.equal(valid, true, JSON.stringify(validate.errors, null, 2));
    });

    it("has one component, EventRouter, requiring targets and routes as plain lists", () => {
      const resources = schema.resources as Record<string, Record<string, unknown>>;
      assert.deepEqual(Object.keys(resources), [TOKEN]);
      const router = resources[TOKEN];
      assert.equal(router.isComponent, true);
      assert.deepEqual(router.requiredInputs, ["routes", "targets"]);
      const inputs = router.inputProperties as Record<string, Record<string, unknown>>;
      assert.deepEqual(Object.keys(inputs).sort(), [
        "bucketName",
        "existing",
        "forceDestroy",
        "onOverlap",
        "routes",
        "targets",
        "versioning",
      ]);
      for (const [name, p] of Object.entries(inputs)) assert.equal(p.plain, true, `${name} is plain`);
    });

    it("takes outputs only where the components do, the webhook secret among them", () => {
      const types = schema.types as Record<string, { properties?: Record<string, Record<string, unknown>> }>;
      const inputFields = Object.entries(types).flatMap(([token, t]) =>
        Object.entries(t.properties ?? {})
          .filter(([, p]) => p.plain !== true && token !== "s3-event-routes:index:RouteTableRow")
          .map(([name]) => `${token.split(":")[2]}.${name}`),
      );
      assert.deepEqual(inputFields.sort(), [
        "LambdaSettings.existingArn",
        "StateMachineSettings.definition",
        "StateMachineSettings.existingArn",
        "WebhookAuth.secret",
      ]);
      // A plain map whose values may be outputs.
      assert.deepEqual(
        types["s3-event-routes:index:LambdaSettings"].properties!.environment.additionalProperties,
        {
          type: "string",
        },
      );
      assert.deepEqual(types["s3-event-routes:index:WebhookAuth"].properties!.secret, {
        type: "string",
        description:
          "The API key, password or client secret. Must be a secret (a secret config value, or\n" +
          "`pulumi.Output.secret(...)`); a plain value is refused. It is stored in Secrets Manager.",
      });
    });

    it("describes target kinds and delivery as enums", () => {
      const types = schema.types as Record<
        string,
        { type: string; enum?: { name: string; value: string }[] }
      >;
      const values = (name: string) => types[`s3-event-routes:index:${name}`].enum!.map((e) => e.value);
      assert.deepEqual(values("TargetKind"), ["lambda", "queue", "topic", "stateMachine", "webhook"]);
      assert.deepEqual(values("Delivery"), ["native", "eventbridge"]);
      assert.deepEqual(values("SubscriptionProtocol"), ["email", "sms", "https", "sqs", "lambda"]);
      assert.deepEqual(values("WebhookAuthType"), ["apiKey", "basic", "oauth"]);
    });

    it("depends on the aws package the components are built with, and outputs its resources", () => {
      const aws = readJson(join(ROOT, "node_modules", "@pulumi", "aws", "package.json"));
      assert.deepEqual(schema.dependencies, [{ name: "aws", version: aws.version }]);
      const outputs = (
        schema.resources as Record<string, { properties: Record<string, Record<string, unknown>> }>
      )[TOKEN].properties;
      assert.equal(outputs.bucket.$ref, `/aws/v${aws.version}/schema.json#/resources/aws:s3%2Fbucket:Bucket`);
      assert.deepEqual(outputs.deadLetterQueues.items, {
        $ref: `/aws/v${aws.version}/schema.json#/resources/aws:sqs%2Fqueue:Queue`,
      });
    });

    it("answers GetPluginInfo with the provider's version", async () => {
      assert.equal(await pluginVersion(engine), readJson(join(PLUGIN_DIR, "package.json")).version);
    });
  });

  describe("Construct", () => {
    let urn: string;
    let state: Record<string, unknown>;
    let registrations: Registration[];
    before(async () => {
      ({ urn, state } = await construct(engine, TOKEN, "uploads", routerInputs()));
      registrations = [...engine.registrations];
    });

    const find = (type: string, name: string) => {
      const found = registrations.filter((r) => r.type === type && r.name === name);
      assert.equal(found.length, 1, `one ${type} "${name}"`);
      return found[0];
    };

    it("registers the router under the stack and every resource under the router", () => {
      assert.equal(urn, "urn:pulumi:test::s3-event-routes::s3-event-routes:index:EventRouter::uploads");
      assert.equal(registrations[0].urn, urn);
      assert.equal(registrations[0].parent, engine.stackUrn);
      for (const r of registrations.slice(1)) {
        assert.ok(r.urn.includes("::s3-event-routes:index:EventRouter$"), `${r.urn} is under the router`);
      }
      assert.equal(find("s3-event-routes:index:EventBucket", "uploads").parent, urn);
      assert.equal(find("s3-event-routes:index:LambdaTarget", "uploads-thumbnails").parent, urn);
    });

    it("creates exactly one notification for the bucket, holding the native routes", () => {
      const notifications = registrations.filter(
        (r) => r.type === "aws:s3/bucketNotification:BucketNotification",
      );
      assert.equal(notifications.length, 1);
      const n = notifications[0].inputs;
      assert.equal(n.bucket, "uploads-bucket");
      assert.equal(n.eventbridge, true);
      assert.deepEqual(n.lambdaFunctions, [
        {
          id: "thumbs",
          events: ["s3:ObjectCreated:*"],
          filterPrefix: "images/",
          filterSuffix: ".jpg",
          lambdaFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:uploads-thumbnails-mock",
        },
      ]);
      assert.deepEqual(n.queues, [
        {
          id: "docs",
          events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
          filterPrefix: "docs/",
          queueArn: "arn:aws:sqs:us-east-1:123456789012:uploads-work-mock",
        },
      ]);
      assert.deepEqual(n.topics, [
        {
          id: "shared",
          events: ["s3:ObjectCreated:*"],
          filterPrefix: "shared/",
          topicArn: "arn:aws:sns:us-east-1:123456789012:uploads-activity-mock",
        },
      ]);
      // The permission and policies S3 validates at create time, besides what the inputs name.
      assert.deepEqual(notifications[0].dependencies.map(key).sort(), [
        "aws:iam/rolePolicy:RolePolicy::uploads-thumbnails-policy",
        "aws:lambda/function:Function::uploads-thumbnails",
        "aws:lambda/permission:Permission::uploads-thumbnails-from-uploads",
        "aws:s3/bucket:Bucket::uploads",
        "aws:sns/topic:Topic::uploads-activity",
        "aws:sns/topicPolicy:TopicPolicy::uploads-activity-policy",
        "aws:sqs/queue:Queue::uploads-work",
        "aws:sqs/queuePolicy:QueuePolicy::uploads-work-policy",
      ]);
    });

    it("scopes the function's permission to the bucket and the account", () => {
      assert.deepEqual(find("aws:lambda/permission:Permission", "uploads-thumbnails-from-uploads").inputs, {
        action: "lambda:InvokeFunction",
        function: "uploads-thumbnails-mock",
        principal: "s3.amazonaws.com",
        sourceArn: "arn:aws:s3:::uploads-bucket",
        sourceAccount: "123456789012",
      });
    });

    it("gives every asynchronous path a dead-letter queue, and answers them as resource references", () => {
      const dlqs = registrations
        .filter((r) => r.type === "s3-event-routes:index:DeadLetterQueue")
        .map((r) => r.name)
        .sort();
      assert.deepEqual(dlqs, [
        "uploads-activity-delivery-failures",
        "uploads-indexer-failures",
        "uploads-invoices-failures",
        "uploads-partner-failures",
        "uploads-thumbnails-failures",
        "uploads-work-dlq",
      ]);
      const refs = state.deadLetterQueues as Record<string, unknown>[];
      assert.deepEqual(
        refs.map((r) => [r[SIG], key(r.urn as string)]).sort(),
        dlqs.map((name) => [RESOURCE_SIG, `aws:sqs/queue:Queue::${name}`]).sort(),
      );
      assert.deepEqual(Object.keys(state.deadLetterQueueArns as object).sort(), dlqs);
    });

    it("answers the bucket as a resource reference and the outputs as plain data", () => {
      const bucket = state.bucket as Record<string, unknown>;
      assert.equal(bucket[SIG], RESOURCE_SIG);
      assert.equal(key(bucket.urn as string), "aws:s3/bucket:Bucket::uploads");
      assert.equal(state.bucketName, "uploads-bucket");
      assert.equal(state.bucketArn, "arn:aws:s3:::uploads-bucket");
      assert.equal(state.notificationMode, "owned");
      assert.deepEqual(state.targetArns, {
        thumbnails: "arn:aws:lambda:us-east-1:123456789012:function:uploads-thumbnails-mock",
        indexer: "arn:aws:lambda:us-east-1:123456789012:function:uploads-indexer-mock",
        work: "arn:aws:sqs:us-east-1:123456789012:uploads-work-mock",
        activity: "arn:aws:sns:us-east-1:123456789012:uploads-activity-mock",
        invoices: "arn:aws:states:us-east-1:123456789012:stateMachine:uploads-invoices",
        partner: "arn:aws:events:us-east-1:123456789012:api-destination/uploads-partner-destination/mock",
      });
      assert.deepEqual(state.routeTable, [
        {
          route: "thumbs",
          events: ["s3:ObjectCreated:*"],
          prefix: "images/",
          suffix: ".jpg",
          delivery: "native",
          target: 'lambda "uploads-thumbnails"',
        },
        {
          route: "docs",
          events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
          prefix: "docs/",
          delivery: "native",
          target: 'sqs "uploads-work"',
        },
        {
          route: "shared",
          events: ["s3:ObjectCreated:*"],
          prefix: "shared/",
          delivery: "native",
          target: 'sns "uploads-activity"',
        },
        {
          route: "invoices",
          events: ["s3:ObjectCreated:*"],
          prefix: "invoices/",
          suffix: ".pdf",
          delivery: "eventbridge",
          target: 'sfn "uploads-invoices"',
        },
        {
          route: "partner",
          events: ["s3:ObjectCreated:*"],
          delivery: "eventbridge",
          target: 'webhook "uploads-partner"',
        },
      ]);
    });

    it("keeps the webhook's key secret all the way to the connection", () => {
      const connection = find("aws:cloudwatch/eventConnection:EventConnection", "uploads-partner-connection");
      assert.deepEqual(connection.secretInputs, ["authParameters.apiKey.value"]);
      assert.deepEqual(connection.inputs.authParameters, { apiKey: { key: "x-api-key", value: API_KEY } });
      for (const r of registrations.filter((x) => x !== connection)) {
        assert.ok(!JSON.stringify(r.inputs).includes(API_KEY), `${r.type} "${r.name}" holds no key`);
      }
    });

    it("builds the same resources, inputs, secrets and dependencies as the TypeScript components", async () => {
      const program = await runProgram(componentsProgram);
      assert.deepEqual(program.errors, []);
      const viaTs = program.resources
        .filter((r) => r.type !== "pulumi:pulumi:Stack")
        .map((r) => normalise(r, []))
        .sort((a, b) => a.resource.localeCompare(b.resource));
      const viaGrpc = registrations
        .slice(1)
        .map((r) => normalise(r, [urn]))
        .sort((a, b) => a.resource.localeCompare(b.resource));
      assert.deepEqual(viaGrpc, viaTs);
      assert.ok(viaGrpc.length > 60, `${viaGrpc.length} resources compared`);
    });
  });

  describe("Construct in a preview", () => {
    let state: Record<string, unknown>;
    let registrations: Registration[];
    before(async () => {
      const inputs = routerInputs();
      delete inputs.bucketName;
      delete (inputs.targets as Record<string, Record<string, unknown>>[])[0].lambda.writes;
      ({ state } = await construct(engine, TOKEN, "uploads", inputs, { dryRun: true }));
      registrations = [...engine.registrations];
    });

    it("registers the same resources, with what is not known yet left unknown", () => {
      const notification = registrations.find(
        (r) => r.type === "aws:s3/bucketNotification:BucketNotification",
      )!;
      // The bucket's generated name and the function's ARN are not known in a preview.
      assert.equal(notification.inputs.bucket, undefined);
      assert.deepEqual(notification.inputs.lambdaFunctions, [
        { id: "thumbs", events: ["s3:ObjectCreated:*"], filterPrefix: "images/", filterSuffix: ".jpg" },
      ]);
      assert.equal(
        registrations.filter((r) => r.type === "aws:s3/bucketNotification:BucketNotification").length,
        1,
      );
    });

    it("answers unknown outputs as unknown and the route table as known", () => {
      assert.equal(state.bucketName, UNKNOWN);
      assert.equal((state.routeTable as unknown[]).length, 5);
    });
  });

  describe("Construct with bad input", () => {
    const details = async (inputs: Record<string, unknown>) => {
      try {
        await construct(engine, TOKEN, "bad", inputs);
      } catch (e) {
        return (e as { details: string }).details;
      }
      throw new Error("Construct succeeded");
    };

    it("answers a route to an undeclared target with the router's exact error", async () => {
      const inputs = routerInputs();
      (inputs.routes as Record<string, unknown>[])[1].target = "wrok";
      assert.equal(
        await details(inputs),
        'EventRouter "bad", route "docs": "target" names "wrok", which is not a target of this router ' +
          '("thumbnails", "indexer", "work", "activity", "invoices", "partner"). Name one of "targets".',
      );
    });

    it("answers overlapping routes with the bucket's exact error", async () => {
      const inputs = routerInputs();
      (inputs.routes as Record<string, unknown>[])[2].prefix = "docs/";
      assert.equal(
        await details(inputs),
        'Routes "docs" and "shared" on bucket "bad" overlap: both receive s3:ObjectCreated:* and their filters ' +
          '(prefix "docs/" vs prefix "docs/") can match the same key, which S3 rejects ("Configuration is ambiguously ' +
          'defined"). Fan out through one SNS topic subscribed by both consumers, deliver one of them through ' +
          'EventBridge (delivery: "eventbridge"), or make their prefixes or suffixes disjoint.',
      );
    });

    it("answers a webhook key in plain text with the webhook's exact error", async () => {
      const inputs = routerInputs();
      const partner = (inputs.targets as { webhook: { auth: Record<string, unknown> } }[])[5];
      partner.webhook.auth.secret = "k-123-plain";
      assert.equal(
        await details(inputs),
        'WebhookTarget "bad-partner": auth.value is a plain string; secrets must never be in plain text. ' +
          'Read it with config.requireSecret("...") (pulumi config set --secret ...) or wrap it in pulumi.secret().',
      );
    });

    it("answers a secret inside a plain field with the router's exact error", async () => {
      const inputs = routerInputs();
      (inputs.routes as Record<string, unknown>[])[0].prefix = { [SIG]: SECRET_SIG, value: "images/" };
      const message = await details(inputs);
      assert.match(message, /^EventRouter "bad": "routes" must be plain data known when the program runs/);
    });
  });
});
