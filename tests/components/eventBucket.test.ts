import { strict as assert } from "node:assert";
import { policyOf, run, runError, testCode } from "./harness";
import { ofType, one, RecordedResource } from "../../components/testing/mockEngine";
import { EncryptionKey, EventBucket, LambdaTarget, QueueTarget, TopicTarget } from "../../components";

const NOTIFICATION = "aws:s3/bucketNotification:BucketNotification";
const ACCOUNT = "123456789012";
const BUCKET_ARN = "arn:aws:s3:::uploads-mock";

const depNames = (r: RecordedResource) => r.dependencies.map((u) => u.split("::").pop());

describe("EventBucket", () => {
  describe("a bucket with six routes over Lambda, SNS and SQS", () => {
    let resources: RecordedResource[];

    before(async () => {
      ({ resources } = await run(() => {
        const thumbs = new LambdaTarget("thumbs", { code: testCode, timeoutSeconds: 60 });
        const meta = new LambdaTarget("meta", { code: testCode });
        const consumer = new LambdaTarget("consumer", { code: testCode, timeoutSeconds: 20 });
        const analysis = new QueueTarget("analysis", { consumer: { function: consumer } });
        const audit = new QueueTarget("audit", { maxReceiveCount: 8 });
        const alerts = new TopicTarget("alerts", {
          subscriptions: [
            { protocol: "email", endpoint: "ops@example.com" },
            { protocol: "sms", endpoint: "+15555550100" },
            { protocol: "https", endpoint: "https://hooks.example.com/s3" },
            { protocol: "sqs", queue: analysis },
          ],
        });
        const bucket = new EventBucket("uploads", {
          routes: [
            {
              name: "jpg-thumbs",
              events: ["created"],
              filter: { prefix: "raw photos/", suffix: ".jpg" },
              target: thumbs,
            },
            {
              name: "png-thumbs",
              events: ["created"],
              filter: { prefix: "raw photos/", suffix: ".png" },
              target: thumbs,
            },
            {
              name: "docs-meta",
              events: ["s3:ObjectCreated:Put"],
              filter: { prefix: "docs/" },
              target: meta,
            },
          ],
        });
        bucket.addRoute({ name: "removed-alerts", events: ["removed"], target: alerts });
        bucket.addRoute({ name: "audit-acl", events: ["acl", "tagging"], target: audit });
        bucket.addRoute({
          name: "reports",
          events: ["created"],
          filter: { prefix: "reports/" },
          target: analysis,
        });
      }));
    });

    it("aggregates every route into exactly one notification with exact entries", () => {
      const notifications = ofType(resources, NOTIFICATION);
      assert.equal(notifications.length, 1);
      const n = notifications[0];
      assert.equal(n.inputs.bucket, "uploads-mock");
      assert.deepEqual(n.inputs.lambdaFunctions, [
        {
          id: "jpg-thumbs",
          events: ["s3:ObjectCreated:*"],
          filterPrefix: "raw+photos/",
          filterSuffix: ".jpg",
          lambdaFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:thumbs-mock`,
        },
        {
          id: "png-thumbs",
          events: ["s3:ObjectCreated:*"],
          filterPrefix: "raw+photos/",
          filterSuffix: ".png",
          lambdaFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:thumbs-mock`,
        },
        {
          id: "docs-meta",
          events: ["s3:ObjectCreated:Put"],
          filterPrefix: "docs/",
          lambdaFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:meta-mock`,
        },
      ]);
      assert.deepEqual(n.inputs.topics, [
        {
          id: "removed-alerts",
          events: ["s3:ObjectRemoved:*"],
          topicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts-mock`,
        },
      ]);
      assert.deepEqual(n.inputs.queues, [
        {
          id: "audit-acl",
          events: ["s3:ObjectAcl:Put", "s3:ObjectTagging:*"],
          queueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:audit-mock`,
        },
        {
          id: "reports",
          events: ["s3:ObjectCreated:*"],
          filterPrefix: "reports/",
          queueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:analysis-mock`,
        },
      ]);
      assert.equal(n.inputs.eventbridge, undefined);
    });

    it("makes the notification depend on every permission and policy S3 validates", () => {
      const n = one(resources, NOTIFICATION, "uploads-notification");
      for (const dep of [
        "thumbs-from-uploads",
        "meta-from-uploads",
        "alerts-policy",
        "audit-policy",
        "analysis-policy",
      ]) {
        assert.ok(
          depNames(n).includes(dep),
          `notification should depend on ${dep}; got ${depNames(n).join(", ")}`,
        );
      }
    });

    it("creates one Lambda permission per function and bucket, scoped with source ARN and account", () => {
      const permissions = ofType(resources, "aws:lambda/permission:Permission").filter(
        (p) => p.inputs.principal === "s3.amazonaws.com",
      );
      assert.deepEqual(
        permissions.map((p) => p.name),
        ["thumbs-from-uploads", "meta-from-uploads"],
      );
      assert.deepEqual(permissions[0].inputs, {
        action: "lambda:InvokeFunction",
        function: "thumbs-mock",
        principal: "s3.amazonaws.com",
        sourceArn: BUCKET_ARN,
        sourceAccount: ACCOUNT,
      });
    });

    it("scopes queue and topic policies to the bucket and the account, TLS only", () => {
      const audit = policyOf(one(resources, "aws:sqs/queuePolicy:QueuePolicy", "audit-policy"));
      const auditArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:audit-mock`;
      assert.deepEqual(audit.Statement, [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "sqs:*",
          Resource: auditArn,
          Condition: { Bool: { "aws:SecureTransport": false } },
        },
        {
          Sid: "AllowS3",
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: auditArn,
          Condition: {
            ArnLike: { "aws:SourceArn": BUCKET_ARN },
            StringEquals: { "aws:SourceAccount": ACCOUNT },
          },
        },
      ]);
      const analysis = policyOf(one(resources, "aws:sqs/queuePolicy:QueuePolicy", "analysis-policy"));
      assert.deepEqual(
        analysis.Statement.map((s) => [s.Sid, s.Condition]),
        [
          ["DenyInsecureTransport", { Bool: { "aws:SecureTransport": false } }],
          [
            "AllowSns",
            {
              ArnLike: { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCOUNT}:alerts-mock` },
              StringEquals: { "aws:SourceAccount": ACCOUNT },
            },
          ],
          [
            "AllowS3",
            { ArnLike: { "aws:SourceArn": BUCKET_ARN }, StringEquals: { "aws:SourceAccount": ACCOUNT } },
          ],
        ],
      );
      const topic = policyOf(one(resources, "aws:sns/topicPolicy:TopicPolicy", "alerts-policy"));
      assert.deepEqual(topic.Statement[1], {
        Sid: "AllowS3",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sns:Publish",
        Resource: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts-mock`,
        Condition: {
          ArnLike: { "aws:SourceArn": BUCKET_ARN },
          StringEquals: { "aws:SourceAccount": ACCOUNT },
        },
      });
    });

    it("gives each queue a DLQ, redrive, long polling and a visibility timeout of 6x its consumer", () => {
      const analysis = one(resources, "aws:sqs/queue:Queue", "analysis");
      assert.equal(analysis.inputs.visibilityTimeoutSeconds, 120);
      assert.equal(analysis.inputs.receiveWaitTimeSeconds, 20);
      assert.equal(analysis.inputs.sqsManagedSseEnabled, true);
      assert.deepEqual(JSON.parse(analysis.inputs.redrivePolicy as string), {
        deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:analysis-dlq-mock`,
        maxReceiveCount: 5,
      });
      const audit = one(resources, "aws:sqs/queue:Queue", "audit");
      assert.equal(audit.inputs.visibilityTimeoutSeconds, 180);
      assert.equal(JSON.parse(audit.inputs.redrivePolicy as string).maxReceiveCount, 8);
      const mapping = one(resources, "aws:lambda/eventSourceMapping:EventSourceMapping", "analysis-consumer");
      assert.deepEqual(mapping.inputs, {
        eventSourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:analysis-mock`,
        functionName: "consumer-mock",
        batchSize: 10,
        maximumBatchingWindowInSeconds: 1,
        functionResponseTypes: ["ReportBatchItemFailures"],
      });
    });

    it("retries async invokes twice and sends failures to an on-failure queue", () => {
      const config = one(
        resources,
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "thumbs-async",
      );
      assert.deepEqual(config.inputs, {
        functionName: "thumbs-mock",
        maximumRetryAttempts: 2,
        maximumEventAgeInSeconds: 21600,
        destinationConfig: {
          onFailure: { destination: `arn:aws:sqs:us-east-1:${ACCOUNT}:thumbs-failures-mock` },
        },
      });
    });

    it("creates each function alongside its role policy; whatever sends it events or is checked against the role waits for the policy", () => {
      const deps = (type: string, name: string) => depNames(one(resources, type, name));
      assert.deepEqual(deps("aws:lambda/function:Function", "thumbs").sort(), ["thumbs-logs", "thumbs-role"]);
      const notification = deps(NOTIFICATION, "uploads-notification");
      for (const policy of ["thumbs-policy", "meta-policy"]) assert.ok(notification.includes(policy), policy);
      assert.ok(
        deps("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "thumbs-async").includes(
          "thumbs-policy",
        ),
      );
      assert.ok(
        deps("aws:lambda/eventSourceMapping:EventSourceMapping", "analysis-consumer").includes(
          "consumer-policy",
        ),
      );
    });

    it("grants each function only its logs, its failure queue and reads under its routes' prefixes", () => {
      const policy = policyOf(one(resources, "aws:iam/rolePolicy:RolePolicy", "thumbs-policy"));
      assert.deepEqual(policy.Statement, [
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: "arn:aws:logs:us-east-1:123456789012:log-group:thumbs-logs:*",
        },
        {
          Sid: "SendFailedEvents",
          Effect: "Allow",
          Action: "sqs:SendMessage",
          Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:thumbs-failures-mock`,
        },
        {
          Sid: "ReadUploadsJpgthumbs",
          Effect: "Allow",
          Action: [
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:GetObjectTagging",
            "s3:GetObjectVersionTagging",
          ],
          Resource: `${BUCKET_ARN}/raw photos/*`,
        },
        {
          Sid: "ListUploadsJpgthumbs",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: BUCKET_ARN,
          Condition: { StringLike: { "s3:prefix": "raw photos/*" } },
        },
        {
          Sid: "ReadUploadsPngthumbs",
          Effect: "Allow",
          Action: [
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:GetObjectTagging",
            "s3:GetObjectVersionTagging",
          ],
          Resource: `${BUCKET_ARN}/raw photos/*`,
        },
        {
          Sid: "ListUploadsPngthumbs",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: BUCKET_ARN,
          Condition: { StringLike: { "s3:prefix": "raw photos/*" } },
        },
      ]);
      const consumer = policyOf(one(resources, "aws:iam/rolePolicy:RolePolicy", "consumer-policy"));
      assert.deepEqual(
        consumer.Statement.find((st) => st.Sid === "ConsumeAnalysis"),
        {
          Sid: "ConsumeAnalysis",
          Effect: "Allow",
          Action: [
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ChangeMessageVisibility",
          ],
          Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:analysis-mock`,
        },
      );
    });

    it("fans the topic out with a DLQ on every subscription and a retry policy for HTTPS", () => {
      const subs = ofType(resources, "aws:sns/topicSubscription:TopicSubscription");
      assert.deepEqual(
        subs.map((s) => [s.name, s.inputs.protocol, s.inputs.endpoint]),
        [
          ["alerts-sub-1", "email", "ops@example.com"],
          ["alerts-sub-2", "sms", "+15555550100"],
          ["alerts-sub-3", "https", "https://hooks.example.com/s3"],
          ["alerts-sub-4", "sqs", `arn:aws:sqs:us-east-1:${ACCOUNT}:analysis-mock`],
        ],
      );
      for (const s of subs) {
        assert.deepEqual(JSON.parse(s.inputs.redrivePolicy as string), {
          deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:alerts-delivery-failures-mock`,
        });
      }
      assert.equal(JSON.parse(subs[2].inputs.deliveryPolicy as string).healthyRetryPolicy.numRetries, 20);
      assert.ok(depNames(subs[3]).includes("analysis-policy"));
    });

    it("encrypts the topic with its own key that lets S3 use it, scoped to the bucket", () => {
      const topic = one(resources, "aws:sns/topic:Topic", "alerts");
      assert.equal(
        topic.inputs.kmsMasterKeyId,
        `arn:aws:kms:us-east-1:${ACCOUNT}:key/mock-key-alerts-key-key`,
      );
      const key = policyOf(one(resources, "aws:kms/keyPolicy:KeyPolicy", "alerts-key-policy"));
      assert.deepEqual(key.Statement[1], {
        Sid: "ServiceUseS3",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
        Condition: {
          ArnLike: { "aws:SourceArn": BUCKET_ARN },
          StringEquals: { "aws:SourceAccount": ACCOUNT },
        },
      });
    });

    it("secures the bucket: public access blocked, SSE, owner enforced, TLS only, no versioning by default", () => {
      assert.deepEqual(
        one(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "uploads-public-access")
          .inputs,
        {
          bucket: "uploads-mock",
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
      );
      assert.deepEqual(
        one(
          resources,
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          "uploads-encryption",
        ).inputs.rules,
        [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      );
      assert.deepEqual(
        one(resources, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "uploads-ownership").inputs
          .rule,
        {
          objectOwnership: "BucketOwnerEnforced",
        },
      );
      const policy = policyOf(one(resources, "aws:s3/bucketPolicy:BucketPolicy", "uploads-policy"));
      assert.deepEqual(policy.Statement, [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
          Condition: { Bool: { "aws:SecureTransport": false } },
        },
      ]);
      assert.equal(ofType(resources, "aws:s3/bucketVersioning:BucketVersioning").length, 0);
      assert.equal(one(resources, "aws:s3/bucket:Bucket", "uploads").inputs.forceDestroy, false);
    });
  });

  it("uses a customer-managed key for the bucket and a queue when given, and lets readers decrypt", async () => {
    const { resources } = await run(() => {
      const key = new EncryptionKey("data");
      const fn = new LambdaTarget("reader", { code: testCode });
      const queue = new QueueTarget("jobs", { kmsKey: key });
      new EventBucket("vault", {
        kmsKey: key,
        versioning: true,
        routes: [
          { name: "read", events: ["created"], filter: { prefix: "in/" }, target: fn },
          { name: "jobs", events: ["removed"], target: queue },
        ],
      });
    });
    const keyArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/mock-key-data-key`;
    assert.deepEqual(
      one(
        resources,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "vault-encryption",
      ).inputs.rules,
      [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn },
          bucketKeyEnabled: true,
        },
      ],
    );
    assert.deepEqual(
      one(resources, "aws:s3/bucketVersioning:BucketVersioning", "vault-versioning").inputs
        .versioningConfiguration,
      {
        status: "Enabled",
      },
    );
    const queue = one(resources, "aws:sqs/queue:Queue", "jobs");
    assert.equal(queue.inputs.kmsMasterKeyId, keyArn);
    assert.equal(queue.inputs.sqsManagedSseEnabled, undefined);
    const keyPolicy = policyOf(one(resources, "aws:kms/keyPolicy:KeyPolicy", "data-policy"));
    assert.deepEqual(keyPolicy.Statement[1].Condition, {
      ArnLike: { "aws:SourceArn": "arn:aws:s3:::vault-mock" },
      StringEquals: { "aws:SourceAccount": ACCOUNT },
    });
    const reader = policyOf(one(resources, "aws:iam/rolePolicy:RolePolicy", "reader-policy"));
    assert.deepEqual(
      reader.Statement.find((s) => s.Sid === "DecryptVault"),
      { Sid: "DecryptVault", Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn },
    );
  });

  it("subscribes a function to a topic once the function may be invoked by SNS and its role policy exists", async () => {
    const { resources } = await run(() => {
      const fn = new LambdaTarget("worker", { code: testCode });
      const topic = new TopicTarget("fanout", { subscriptions: [{ protocol: "lambda", function: fn }] });
      new EventBucket("inbox", { routes: [{ name: "all", events: ["created"], target: topic }] });
    });
    const sub = one(resources, "aws:sns/topicSubscription:TopicSubscription", "fanout-sub-1");
    assert.equal(sub.inputs.endpoint, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:worker-mock`);
    for (const dep of ["fanout-sub-1-invoke", "worker-policy"]) assert.ok(depNames(sub).includes(dep), dep);
  });

  it("names a named bucket's ARN in permissions and policies without waiting for the bucket", async () => {
    const { resources } = await run(() => {
      const fn = new LambdaTarget("fn", { code: testCode });
      const queue = new QueueTarget("jobs");
      const topic = new TopicTarget("news");
      new EventBucket("gallery", {
        bucketName: "team-gallery",
        routes: [
          { name: "a", events: ["created"], filter: { prefix: "a/" }, target: fn },
          { name: "b", events: ["created"], filter: { prefix: "b/" }, target: queue },
          { name: "c", events: ["created"], filter: { prefix: "c/" }, target: topic },
        ],
      });
      new EventBucket("auto", { routes: [{ name: "a", events: ["created"], target: fn }] });
    });
    const arn = "arn:aws:s3:::team-gallery";
    const permission = one(resources, "aws:lambda/permission:Permission", "fn-from-gallery");
    assert.equal(permission.inputs.sourceArn, arn);
    const queuePolicy = policyOf(one(resources, "aws:sqs/queuePolicy:QueuePolicy", "jobs-policy"));
    assert.deepEqual(queuePolicy.Statement[1].Condition, {
      ArnLike: { "aws:SourceArn": arn },
      StringEquals: { "aws:SourceAccount": ACCOUNT },
    });
    const key = one(resources, "aws:kms/keyPolicy:KeyPolicy", "news-key-policy");
    assert.equal(
      (policyOf(key).Statement[1].Condition as { ArnLike: Record<string, string> }).ArnLike["aws:SourceArn"],
      arn,
    );
    for (const r of [
      permission,
      one(resources, "aws:sqs/queuePolicy:QueuePolicy", "jobs-policy"),
      one(resources, "aws:sns/topicPolicy:TopicPolicy", "news-policy"),
      key,
      one(resources, "aws:iam/rolePolicy:RolePolicy", "fn-policy"),
    ]) {
      assert.ok(!depNames(r).includes("gallery"), `${r.name} should not wait for the bucket`);
    }
    assert.ok(depNames(one(resources, NOTIFICATION, "gallery-notification")).includes("gallery"));
    // An auto-named bucket's ARN is only known once it exists.
    assert.ok(depNames(one(resources, "aws:lambda/permission:Permission", "fn-from-auto")).includes("auto"));
  });

  it("lets a queue receive from two buckets through one policy listing both", async () => {
    const { resources } = await run(() => {
      const queue = new QueueTarget("shared");
      new EventBucket("a", { routes: [{ events: ["created"], target: queue }] });
      new EventBucket("b", { routes: [{ events: ["created"], target: queue }] });
    });
    assert.equal(
      ofType(resources, "aws:sqs/queuePolicy:QueuePolicy").filter((p) => p.name === "shared-policy").length,
      1,
    );
    const policy = policyOf(one(resources, "aws:sqs/queuePolicy:QueuePolicy", "shared-policy"));
    assert.deepEqual(policy.Statement[1].Condition, {
      ArnLike: { "aws:SourceArn": ["arn:aws:s3:::a-mock", "arn:aws:s3:::b-mock"] },
      StringEquals: { "aws:SourceAccount": ACCOUNT },
    });
    assert.equal(ofType(resources, NOTIFICATION).length, 2);
  });

  it("makes opting out of secure defaults explicit and visible", async () => {
    const { resources } = await run(() => {
      new EventBucket("open", { allowPublicAccess: true, allowInsecureTransport: true, forceDestroy: true });
    });
    assert.equal(ofType(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").length, 0);
    assert.equal(ofType(resources, "aws:s3/bucketPolicy:BucketPolicy").length, 0);
    assert.equal(one(resources, "aws:s3/bucket:Bucket", "open").inputs.forceDestroy, true);
    const n = one(resources, NOTIFICATION, "open-notification");
    assert.deepEqual([n.inputs.lambdaFunctions, n.inputs.queues, n.inputs.topics], [[], [], []]);
  });

  it("adopts an existing bucket by name and manages only its notification", async () => {
    const { resources } = await run(() => {
      const queue = new QueueTarget("q");
      new EventBucket("legacy", {
        existing: { bucketName: "team-legacy" },
        routes: [{ events: ["created"], target: queue }],
      });
    });
    assert.equal(ofType(resources, "aws:s3/bucket:Bucket").length, 0);
    const n = one(resources, "pulumi-nodejs:dynamic:Resource", "legacy-notification");
    assert.equal(n.inputs.bucket, "team-legacy");
    const policy = policyOf(one(resources, "aws:sqs/queuePolicy:QueuePolicy", "q-policy"));
    assert.deepEqual(policy.Statement[1].Condition, {
      ArnLike: { "aws:SourceArn": "arn:aws:s3:::team-legacy" },
      StringEquals: { "aws:SourceAccount": ACCOUNT },
    });
  });

  describe("validation errors, raised before anything is deployed", () => {
    it("names both overlapping routes and the fix", async () => {
      const message = await runError(() => {
        const q = new QueueTarget("q");
        const fn = new LambdaTarget("fn", { code: testCode });
        new EventBucket("uploads", {
          routes: [
            { name: "images", events: ["s3:ObjectCreated:Put"], filter: { prefix: "images/" }, target: fn },
            { name: "everything", events: ["created"], target: q },
          ],
        });
      });
      assert.equal(
        message,
        'Routes "images" and "everything" on bucket "uploads" overlap: both receive s3:ObjectCreated:Put and their filters (prefix "images/" vs the whole bucket) can match the same key, which S3 rejects ("Configuration is ambiguously defined"). Fan out through one SNS topic subscribed by both consumers, deliver one of them through EventBridge (delivery: "eventbridge"), or make their prefixes or suffixes disjoint.',
      );
    });

    it("refuses an unknown event type and an empty event list", async () => {
      const q = () => new QueueTarget("q");
      assert.match(
        await runError(
          // @ts-expect-error -- not an event name: what a JavaScript caller can still pass
          () => new EventBucket("b", { routes: [{ name: "r", events: ["ObjectCreated"], target: q() }] }),
        ),
        /^Bucket "b", route "r": unknown event type "ObjectCreated"\. Use a friendly name/,
      );
      assert.equal(
        await runError(() => new EventBucket("b", { routes: [{ name: "r", events: [], target: q() }] })),
        'Bucket "b", route "r": the event list is empty. Name at least one event, for example ["created"] or ["s3:ObjectCreated:Put"].',
      );
    });

    it("refuses a prefix with a leading slash", async () => {
      assert.equal(
        await runError(
          () =>
            new EventBucket("b", {
              routes: [
                { name: "r", events: ["created"], filter: { prefix: "/in/" }, target: new QueueTarget("q") },
              ],
            }),
        ),
        'Bucket "b", route "r": filter prefix "/in/" starts with "/". S3 keys have no leading slash, so it would never match: write "in/".',
      );
    });

    it("refuses a handler that writes into the objects it is notified of", async () => {
      const message = await runError(() => {
        const bucket = new EventBucket("photos");
        const fn = new LambdaTarget("thumbnailer", {
          code: testCode,
          writes: [{ bucket, filter: { prefix: "images/thumbs/" } }],
        });
        bucket.addRoute({ name: "thumbs", events: ["created"], filter: { prefix: "images/" }, target: fn });
      });
      assert.equal(
        message,
        'Bucket "photos", route "thumbs": its target lambda "thumbnailer" writes objects (prefix "images/thumbs/") into this bucket that the route itself is notified of (prefix "images/"), so it would invoke itself forever. Write to another bucket or to a prefix outside the route\'s filter, or narrow the route\'s filter.',
      );
    });

    it("refuses a route added after the notification is final, instead of a second notification", async () => {
      const { errors, resources } = await (async () => {
        const { runProgram } = await import("../../components/testing/mockEngine");
        return runProgram(async () => {
          const bucket = new EventBucket("late");
          await new Promise((resolve) => setImmediate(resolve)); // after the seal (the first microtask after the constructor)
          bucket.addRoute({ name: "too-late", events: ["created"], target: new QueueTarget("q") });
        });
      })();
      assert.equal(
        errors[0]?.message,
        'Route "too-late" of bucket "late" was added after the notification of bucket "late" was finalised. Declare it in the same synchronous part of the program as the resource it joins (before any await, outside any apply), or pass it at construction.',
      );
      assert.equal(ofType(resources, NOTIFICATION).length, 1);
    });

    it("refuses FIFO destinations and AWS-managed keys", async () => {
      assert.equal(
        await runError(
          () => new QueueTarget("f", { existing: { arn: "arn:aws:sqs:us-east-1:1:jobs.fifo", url: "u" } }),
        ),
        'QueueTarget "f": "arn:aws:sqs:us-east-1:1:jobs.fifo" is a FIFO queue; S3 notifications can only go to standard queues. Use a standard queue, or route through EventBridge to reach a FIFO queue.',
      );
      assert.equal(
        await runError(
          () => new TopicTarget("t", { existing: { arn: "arn:aws:sns:us-east-1:1:alerts.fifo" } }),
        ),
        'TopicTarget "t": "arn:aws:sns:us-east-1:1:alerts.fifo" is a FIFO topic; S3 notifications can only go to standard topics. Use a standard topic, or route through EventBridge to reach a FIFO topic.',
      );
      assert.equal(
        await runError(() => new TopicTarget("t", { kmsKeyArn: "alias/aws/sns" })),
        'TopicTarget "t": "alias/aws/sns" is an AWS-managed key. S3 cannot use it, so every event would be silently dropped. Use a customer-managed key (an EncryptionKey, or a key whose policy lets s3.amazonaws.com call kms:GenerateDataKey* and kms:Decrypt), or leave the key out for the service\'s own encryption.',
      );
    });

    it("refuses a visibility timeout under six times the consumer's timeout, and a low maxReceiveCount", async () => {
      assert.equal(
        await runError(() => {
          const fn = new LambdaTarget("slow", { code: testCode, timeoutSeconds: 100 });
          new QueueTarget("jobs", { consumer: { function: fn }, visibilityTimeoutSeconds: 300 });
        }),
        'QueueTarget "jobs": visibilityTimeoutSeconds 300 is under 6 × the consumer\'s timeout (100 s), so a message still being processed would be delivered again. Use at least 600.',
      );
      assert.equal(
        await runError(() => new QueueTarget("jobs", { maxReceiveCount: 2 })),
        'QueueTarget "jobs": maxReceiveCount must be a whole number from 5 to 1000, got 2.',
      );
    });

    it("refuses plain HTTP subscribers", async () => {
      assert.equal(
        await runError(
          () =>
            new TopicTarget("t", {
              subscriptions: [{ protocol: "https", endpoint: "http://hooks.example.com" }],
            }),
        ),
        'TopicTarget "t": subscriptions[0].endpoint "http://hooks.example.com" is not an HTTPS URL. SNS would deliver events in clear text or not at all: use an https:// URL.',
      );
    });
  });
});
