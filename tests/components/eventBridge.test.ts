import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { policyOf, run, runError, testCode } from "./harness";
import { ofType, one, RecordedResource } from "../../components/testing/mockEngine";
import {
  BucketEvents,
  EventBucket,
  LambdaTarget,
  QueueTarget,
  StateMachineTarget,
  TopicTarget,
  WebhookTarget,
} from "../../components";

const ACCOUNT = "123456789012";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const ruleArn = (name: string) => `arn:aws:events:us-east-1:${ACCOUNT}:rule/default/${name}`;
const depNames = (r: RecordedResource) => r.dependencies.map((u) => u.split("::").pop());
const secret = (v: string) => pulumi.secret(v);

describe("EventBridge delivery", () => {
  describe("PDFs to a workflow and everything to a webhook, beside native Lambda and queue routes", () => {
    let resources: RecordedResource[];

    before(async () => {
      ({ resources } = await run(() => {
        const processor = new LambdaTarget("pdf-processor", { code: testCode });
        const workflow = new StateMachineTarget("invoices", { workflow: { processor } });
        const partner = new WebhookTarget("partner", {
          endpoint: "https://partner.example.com/s3-events",
          auth: { type: "apiKey", header: "x-api-key", value: secret("k3y") },
          rateLimitPerSecond: 5,
        });
        const thumbs = new LambdaTarget("thumbs", { code: testCode });
        const queue = new QueueTarget("audit");
        new EventBucket("docs", {
          routes: [
            { name: "images", events: ["created"], filter: { prefix: "images/" }, target: thumbs },
            { name: "removed", events: ["removed"], target: queue },
            {
              name: "invoices",
              events: ["created"],
              filter: { prefix: "invoices/", suffix: ".pdf" },
              target: workflow,
            },
            { name: "partner", events: ["created"], target: partner },
          ],
        });
      }));
    });

    it("keeps exactly one notification, with EventBridge on and only the native entries", () => {
      const notifications = ofType(resources, "aws:s3/bucketNotification:BucketNotification");
      assert.equal(notifications.length, 1);
      const n = notifications[0].inputs;
      assert.equal(n.eventbridge, true);
      assert.deepEqual(
        (n.lambdaFunctions as { id: string }[]).map((e) => e.id),
        ["images"],
      );
      assert.deepEqual(
        (n.queues as { id: string }[]).map((e) => e.id),
        ["removed"],
      );
      assert.deepEqual(n.topics, []);
    });

    it("writes one rule per EventBridge route with the exact pattern", () => {
      assert.deepEqual(
        ofType(resources, RULE).map((r) => r.name),
        ["docs-invoices", "docs-partner"],
      );
      assert.deepEqual(JSON.parse(one(resources, RULE, "docs-invoices").inputs.eventPattern as string), {
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: ["docs-mock"] }, object: { key: [{ wildcard: "invoices/*.pdf" }] } },
      });
      assert.deepEqual(JSON.parse(one(resources, RULE, "docs-partner").inputs.eventPattern as string), {
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: ["docs-mock"] } },
      });
    });

    it("starts the workflow with the stable payload, retries and a DLQ, through a role that may only start it", () => {
      const target = one(resources, TARGET, "invoices-docs-invoices");
      const machineArn = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:invoices`;
      assert.deepEqual(target.inputs, {
        rule: "docs-invoices",
        arn: machineArn,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/invoices-events-role`,
        inputTransformer: {
          inputPaths: {
            id: "$.id",
            type: "$.detail-type",
            time: "$.time",
            region: "$.region",
            bucket: "$.detail.bucket.name",
            key: "$.detail.object.key",
            object: "$.detail.object",
            detail: "$.detail",
          },
          inputTemplate:
            '{"id":"<id>","type":"<type>","time":"<time>","region":"<region>","bucket":"<bucket>","key":"<key>","object":<object>,"detail":<detail>}',
        },
        retryPolicy: { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 },
        deadLetterConfig: { arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:invoices-failures-mock` },
      });
      assert.deepEqual(
        policyOf(one(resources, "aws:iam/rolePolicy:RolePolicy", "invoices-events-policy")).Statement,
        [{ Sid: "StartExecution", Effect: "Allow", Action: "states:StartExecution", Resource: machineArn }],
      );
      const trust = JSON.parse(
        one(resources, "aws:iam/role:Role", "invoices-events-role").inputs.assumeRolePolicy as string,
      );
      assert.deepEqual(trust.Statement[0], {
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      });
      const dlqPolicy = policyOf(
        one(resources, "aws:sqs/queuePolicy:QueuePolicy", "invoices-failures-policy"),
      );
      assert.deepEqual(dlqPolicy.Statement[1], {
        Sid: "AllowEvents",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:invoices-failures-mock`,
        Condition: {
          ArnLike: { "aws:SourceArn": ruleArn("docs-invoices") },
          StringEquals: { "aws:SourceAccount": ACCOUNT },
        },
      });
    });

    it("starts the workflow only once its processor's role policy exists", () => {
      const machine = one(resources, "aws:sfn/stateMachine:StateMachine", "invoices");
      assert.ok(depNames(machine).includes("pdf-processor-policy"));
    });

    it("builds the ready workflow: metadata, branch on content type, processor, result; logging on", () => {
      const machine = one(resources, "aws:sfn/stateMachine:StateMachine", "invoices");
      assert.equal(machine.inputs.type, "STANDARD");
      assert.deepEqual(machine.inputs.loggingConfiguration, {
        logDestination: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:invoices-logs:*`,
        includeExecutionData: false,
        level: "ALL",
      });
      const definition = JSON.parse(machine.inputs.definition as string);
      assert.deepEqual(Object.keys(definition.States), [
        "ReadMetadata",
        "ByContentType",
        "Process",
        "RecordResult",
        "Skipped",
        "ObjectGone",
      ]);
      assert.deepEqual(definition.States.ByContentType.Choices, [
        { Variable: "$.metadata.contentType", StringEquals: "application/pdf", Next: "Process" },
      ]);
      assert.equal(
        definition.States.Process.Parameters.FunctionName,
        `arn:aws:lambda:us-east-1:${ACCOUNT}:function:pdf-processor-mock`,
      );
      const role = policyOf(one(resources, "aws:iam/rolePolicy:RolePolicy", "invoices-policy"));
      assert.deepEqual(
        role.Statement.map((s) => [s.Sid, s.Action, s.Resource]),
        [
          [
            "DeliverLogs",
            [
              "logs:CreateLogDelivery",
              "logs:GetLogDelivery",
              "logs:UpdateLogDelivery",
              "logs:DeleteLogDelivery",
              "logs:ListLogDeliveries",
              "logs:PutResourcePolicy",
              "logs:DescribeResourcePolicies",
              "logs:DescribeLogGroups",
            ],
            "*",
          ],
          [
            "InvokeProcessor",
            "lambda:InvokeFunction",
            [
              `arn:aws:lambda:us-east-1:${ACCOUNT}:function:pdf-processor-mock`,
              `arn:aws:lambda:us-east-1:${ACCOUNT}:function:pdf-processor-mock:*`,
            ],
          ],
          [
            "RecordResults",
            "dynamodb:PutItem",
            `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/invoices-results`,
          ],
          ["ReadDocsInvoices", "s3:GetObject", "arn:aws:s3:::docs-mock/invoices/*"],
        ],
      );
    });

    it("bridges the webhook: secret API key, HTTPS destination with a rate limit, least-privilege role", () => {
      const connection = one(
        resources,
        "aws:cloudwatch/eventConnection:EventConnection",
        "partner-connection",
      );
      assert.equal(connection.inputs.authorizationType, "API_KEY");
      assert.deepEqual(connection.inputs.authParameters, { apiKey: { key: "x-api-key", value: "k3y" } });
      assert.deepEqual(connection.secretInputs, ["authParameters.apiKey.value"]);
      assert.deepEqual(
        one(resources, "aws:cloudwatch/eventApiDestination:EventApiDestination", "partner-destination")
          .inputs,
        {
          description: "Webhook partner",
          connectionArn: `arn:aws:events:us-east-1:${ACCOUNT}:connection/partner-connection/mock`,
          invocationEndpoint: "https://partner.example.com/s3-events",
          httpMethod: "POST",
          invocationRateLimitPerSecond: 5,
        },
      );
      assert.deepEqual(
        policyOf(one(resources, "aws:iam/rolePolicy:RolePolicy", "partner-events-policy")).Statement,
        [
          {
            Sid: "InvokeApiDestination",
            Effect: "Allow",
            Action: "events:InvokeApiDestination",
            Resource: `arn:aws:events:us-east-1:${ACCOUNT}:api-destination/partner-destination/mock`,
          },
        ],
      );
      const target = one(resources, TARGET, "partner-docs-partner");
      assert.equal(
        target.inputs.arn,
        `arn:aws:events:us-east-1:${ACCOUNT}:api-destination/partner-destination/mock`,
      );
      assert.deepEqual(target.inputs.retryPolicy, {
        maximumEventAgeInSeconds: 86400,
        maximumRetryAttempts: 185,
      });
      assert.deepEqual(target.inputs.deadLetterConfig, {
        arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:partner-failures-mock`,
      });
      assert.ok(depNames(target).includes("partner-events-policy"));
      assert.ok(depNames(target).includes("partner-failures-policy"));
    });
  });

  it("reaches Lambda, SNS and SQS through rules with permissions scoped to the rule", async () => {
    const { resources } = await run(() => {
      const fn = new LambdaTarget("fn", { code: testCode });
      const topic = new TopicTarget("topic", { encryption: "none" });
      const queue = new QueueTarget("queue");
      new EventBucket("b", {
        routes: [
          { name: "to-fn", events: ["created"], delivery: "eventbridge", target: fn },
          { name: "to-topic", events: ["created"], delivery: "eventbridge", target: topic },
          { name: "to-queue", events: ["tagging"], delivery: "eventbridge", target: queue },
        ],
      });
    });
    assert.ok(depNames(one(resources, TARGET, "fn-b-to-fn")).includes("fn-policy"));
    assert.deepEqual(one(resources, "aws:lambda/permission:Permission", "fn-from-b-to-fn").inputs, {
      action: "lambda:InvokeFunction",
      function: "fn-mock",
      principal: "events.amazonaws.com",
      sourceArn: ruleArn("b-to-fn"),
    });
    assert.deepEqual(
      policyOf(one(resources, "aws:sns/topicPolicy:TopicPolicy", "topic-policy")).Statement[1].Condition,
      {
        ArnLike: { "aws:SourceArn": ruleArn("b-to-topic") },
        StringEquals: { "aws:SourceAccount": ACCOUNT },
      },
    );
    assert.deepEqual(
      policyOf(one(resources, "aws:sqs/queuePolicy:QueuePolicy", "queue-policy")).Statement[1].Condition,
      {
        ArnLike: { "aws:SourceArn": ruleArn("b-to-queue") },
        StringEquals: { "aws:SourceAccount": ACCOUNT },
      },
    );
    assert.deepEqual(
      ofType(resources, TARGET)
        .map((t) => [t.name, (t.inputs.deadLetterConfig as { arn: string }).arn])
        .sort(),
      [
        ["fn-b-to-fn", `arn:aws:sqs:us-east-1:${ACCOUNT}:fn-failures-mock`],
        ["queue-b-to-queue", `arn:aws:sqs:us-east-1:${ACCOUNT}:queue-dlq-mock`],
        ["topic-b-to-topic", `arn:aws:sqs:us-east-1:${ACCOUNT}:topic-rule-failures-mock`],
      ],
    );
    const n = one(resources, "aws:s3/bucketNotification:BucketNotification", "b-notification").inputs;
    assert.deepEqual([n.eventbridge, n.lambdaFunctions, n.queues, n.topics], [true, [], [], []]);
  });

  it("sends overlapping routes through EventBridge when the bucket asks for it, visibly", async () => {
    let table: unknown;
    const { resources } = await run(() => {
      const a = new QueueTarget("a");
      const b = new LambdaTarget("b", { code: testCode });
      const bucket = new EventBucket("fan", {
        onOverlap: "eventbridge",
        routes: [
          { name: "all", events: ["created"], target: a },
          { name: "images", events: ["created"], filter: { prefix: "images/" }, target: b },
        ],
      });
      table = bucket.routeTable;
    });
    const n = one(resources, "aws:s3/bucketNotification:BucketNotification", "fan-notification").inputs;
    assert.deepEqual(
      (n.queues as { id: string }[]).map((q) => q.id),
      ["all"],
    );
    assert.deepEqual(n.lambdaFunctions, []);
    assert.equal(n.eventbridge, true);
    assert.deepEqual(
      ofType(resources, RULE).map((r) => r.name),
      ["fan-images"],
    );
    const rows = await new Promise((resolve) => (table as pulumi.Output<unknown>).apply(resolve));
    assert.deepEqual(rows, [
      {
        bucket: "fan",
        route: "all",
        events: ["s3:ObjectCreated:*"],
        prefix: undefined,
        suffix: undefined,
        delivery: "native",
        target: 'sqs "a"',
        reroutedFrom: undefined,
      },
      {
        bucket: "fan",
        route: "images",
        events: ["s3:ObjectCreated:*"],
        prefix: "images/",
        suffix: undefined,
        delivery: "eventbridge",
        target: 'lambda "b"',
        reroutedFrom: "all",
      },
    ]);
  });

  it("keeps the overlap error for explicitly native routes even with onOverlap", async () => {
    assert.match(
      await runError(() => {
        const q = new QueueTarget("q");
        new EventBucket("x", {
          onOverlap: "eventbridge",
          routes: [
            { name: "one", events: ["created"], target: q },
            { name: "two", events: ["created"], delivery: "native", target: q },
          ],
        });
      }),
      /^Routes "one" and "two" on bucket "x" overlap/,
    );
  });

  it("refuses event types EventBridge does not carry, and native delivery to a workflow", async () => {
    assert.equal(
      await runError(() => {
        const q = new QueueTarget("q");
        new EventBucket("x", {
          bucketName: "x-bucket",
          routes: [{ name: "rep", events: ["replication"], delivery: "eventbridge", target: q }],
        });
      }),
      'Bucket "x", route "rep": EventBridge does not carry s3:Replication:OperationFailedReplication, s3:Replication:OperationMissedThreshold, s3:Replication:OperationReplicatedAfterThreshold, s3:Replication:OperationNotTracked. Deliver these through a native notification (delivery: "native") instead.',
    );
    assert.equal(
      await runError(() => {
        const sfn = new StateMachineTarget("m", {
          definition: { StartAt: "A", States: { A: { Type: "Succeed" } } },
        });
        new EventBucket("x", {
          routes: [{ name: "r", events: ["created"], delivery: "native", target: sfn }],
        });
      }),
      'Bucket "x", route "r": sfn "m" cannot be a native S3 destination (S3 only notifies Lambda, SNS and SQS). Use delivery: "eventbridge", or leave delivery out.',
    );
  });

  describe("webhook errors", () => {
    it("refuses plain HTTP", async () => {
      assert.equal(
        await runError(
          () =>
            new WebhookTarget("w", {
              endpoint: "http://partner.example.com/hook",
              auth: { type: "apiKey", header: "x-api-key", value: secret("k") },
            }),
        ),
        'WebhookTarget "w": endpoint "http://partner.example.com/hook" is not an HTTPS URL. EventBridge API destinations only call HTTPS endpoints, and events must not travel in clear text: use an https:// URL.',
      );
    });

    it("refuses a plain-text secret", async () => {
      assert.equal(
        await runError(
          () =>
            new WebhookTarget("w", {
              endpoint: "https://partner.example.com/hook",
              auth: { type: "basic", username: "u", password: "hunter2" as unknown as pulumi.Output<string> },
            }),
        ),
        'WebhookTarget "w": auth.password is a plain string; secrets must never be in plain text. Read it with config.requireSecret("...") (pulumi config set --secret ...) or wrap it in pulumi.secret().',
      );
    });

    it("refuses an output that is not secret", async () => {
      const message = await runError(
        () =>
          new WebhookTarget("w", {
            endpoint: "https://partner.example.com/hook",
            auth: {
              type: "oauth",
              tokenUrl: "https://auth.example.com/token",
              clientId: "id",
              clientSecret: pulumi.output("s"),
            },
          }),
      );
      // The check is asynchronous (secretness is known only once resolved); Pulumi prefixes the property path.
      assert.ok(message.startsWith('error serializing property "'), message);
      assert.ok(
        message.endsWith(
          'WebhookTarget "w": auth.clientSecret is not a secret output, so it would be stored in plain text. Read it with config.requireSecret("...") (pulumi config set --secret ...) or wrap it in pulumi.secret().',
        ),
        message,
      );
    });
  });

  it("routes bucket creation and deletion through one trail, whatever the number of routes", async () => {
    const { resources } = await run(() => {
      const alerts = new TopicTarget("alerts", {
        encryption: "none",
        subscriptions: [{ protocol: "email", endpoint: "ops@example.com" }],
      });
      const hook = new WebhookTarget("audit-hook", {
        endpoint: "https://audit.example.com/buckets",
        auth: { type: "apiKey", header: "x-api-key", value: secret("k") },
      });
      new BucketEvents("bucket-lifecycle", {
        routes: [
          {
            name: "team-buckets",
            calls: ["created", "deleted"],
            buckets: { namePrefix: "team-" },
            target: alerts,
          },
          { name: "policy-changes", calls: ["policy"], target: hook },
        ],
      });
    });
    assert.equal(ofType(resources, "aws:cloudtrail/trail:Trail").length, 1);
    const trail = one(resources, "aws:cloudtrail/trail:Trail", "bucket-lifecycle-trail").inputs;
    assert.deepEqual(trail, {
      name: "s3-event-routes-test-bucket-lifecycle",
      s3BucketName: "bucket-lifecycle-logs-mock",
      enableLogging: true,
      enableLogFileValidation: true,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: false,
      eventSelectors: [{ readWriteType: "WriteOnly", includeManagementEvents: true }],
    });
    assert.deepEqual(
      JSON.parse(one(resources, RULE, "bucket-lifecycle-team-buckets").inputs.eventPattern as string),
      {
        source: ["aws.s3"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: {
          eventSource: ["s3.amazonaws.com"],
          eventName: ["CreateBucket", "DeleteBucket"],
          requestParameters: { bucketName: [{ prefix: "team-" }] },
        },
      },
    );
    const logsPolicy = policyOf(
      one(resources, "aws:s3/bucketPolicy:BucketPolicy", "bucket-lifecycle-logs-policy"),
    );
    assert.deepEqual(logsPolicy.Statement[2], {
      Sid: "CloudTrailWrite",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `arn:aws:s3:::bucket-lifecycle-logs-mock/AWSLogs/${ACCOUNT}/*`,
      Condition: {
        StringEquals: {
          "aws:SourceArn": `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/s3-event-routes-test-bucket-lifecycle`,
          "aws:SourceAccount": ACCOUNT,
          "s3:x-amz-acl": "bucket-owner-full-control",
        },
      },
    });
    const hookTarget = one(resources, TARGET, "audit-hook-bucket-lifecycle-policy-changes");
    assert.equal(
      (hookTarget.inputs.inputTransformer as { inputTemplate: string }).inputTemplate,
      '{"id":"<id>","type":"Bucket API Call","call":"<call>","time":"<time>","bucket":"<bucket>","who":"<who>","region":"<region>"}',
    );
    assert.ok(ofType(resources, TARGET).some((t) => t.name === "alerts-bucket-lifecycle-team-buckets"));
  });
});
