import { strict as assert } from "node:assert";
import { ResourceValidationArgs, Secret, unknownCheckingProxy } from "@pulumi/policy";
import { secretsPreservingProxy } from "@pulumi/policy/secret";
import {
  eventbridgeApiDestinationHttps,
  eventbridgeConnectionSecretsSecret,
  markCredentialsSecret,
  s3BucketEncryptionConfigured,
  s3BucketPublicAccessBlocked,
  s3BucketTlsOnly,
  s3PrincipalScopedToSource,
  snsTopicEncrypted,
  sqsQueueEncrypted,
} from "../../policies/security";
import { T } from "../../policies/types";
import { ACCOUNT, ARN, evaluate, messages, res, set, title } from "./harness";
import { s3Grant, world } from "./world";

const CONFUSED = `so any bucket in any account could use this grant (confused deputy). Add the conditions ArnLike { "aws:SourceArn": <bucket ARN> } and StringEquals { "aws:SourceAccount": <bucket owner's account id> }.`;

describe(title(s3PrincipalScopedToSource), () => {
  const policy = s3PrincipalScopedToSource;

  it("passes grants to S3 scoped with both aws:SourceArn and aws:SourceAccount", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags a queue policy statement without aws:SourceAccount", async () => {
    const w = world();
    set(
      w.queuePolicy,
      "policy",
      JSON.stringify(
        s3Grant("sqs:SendMessage", ARN.queue("jobs-q"), ARN.bucket("photos-b"), {
          Condition: { ArnLike: { "aws:SourceArn": ARN.bucket("photos-b") } },
        }),
      ),
    );
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.sqs.QueuePolicy "jobs-s3": statement "S3" lets s3.amazonaws.com call sqs:SendMessage without an aws:SourceAccount condition, ${CONFUSED}`,
    ]);
  });

  it("flags a topic policy given as an object, with no conditions", async () => {
    const w = world();
    set(w.topicPolicy, "policy", {
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Principal: { Service: ["s3.amazonaws.com"] },
        Action: "sns:Publish",
        Resource: "*",
      },
    });
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.sns.TopicPolicy "audit-s3": statement #1 lets s3.amazonaws.com call sns:Publish without aws:SourceArn and aws:SourceAccount conditions, ${CONFUSED}`,
    ]);
  });

  it('does not count StringEqualsIfExists or a bare "*" as scoping', async () => {
    const w = world();
    set(
      w.key,
      "policy",
      JSON.stringify(
        s3Grant(["kms:GenerateDataKey*", "kms:Decrypt"], "*", "*", {
          Condition: {
            ArnLike: { "aws:SourceArn": "*" },
            StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT },
          },
        }),
      ),
    );
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.kms.Key "events-key": statement "S3" lets s3.amazonaws.com call kms:GenerateDataKey*, kms:Decrypt without aws:SourceArn and aws:SourceAccount conditions, ${CONFUSED}`,
    ]);
  });

  it("flags a Lambda permission for S3 without sourceAccount", async () => {
    const w = world();
    set(w.permission, "sourceAccount", undefined);
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.lambda.Permission "thumbnailer-s3" lets s3.amazonaws.com invoke "thumbnailer-f" without sourceAccount, so any ` +
        `bucket in any account that names the function could invoke it (confused deputy). Set sourceArn to the bucket's ` +
        `ARN and sourceAccount to the bucket owner's account id.`,
    ]);
  });

  it("ignores statements for other principals", async () => {
    const q = res(T.queuePolicy, "events", {
      queueUrl: "u",
      policy: JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: "*",
          },
        ],
      }),
    });
    assert.deepEqual(await messages(policy, [q]), []);
  });
});

describe(title(s3BucketPublicAccessBlocked), () => {
  const policy = s3BucketPublicAccessBlocked;

  it("passes a bucket with all four settings on", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags a bucket without a public access block", async () => {
    const w = world();
    assert.deepEqual(
      await messages(
        policy,
        w.all().filter((r) => r !== w.pab),
      ),
      [
        `aws.s3.Bucket "photos" has no aws.s3.BucketPublicAccessBlock, so nothing in the stack stops a later ACL or bucket ` +
          `policy from making its objects public. Add an aws.s3.BucketPublicAccessBlock for it with blockPublicAcls, ` +
          `blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.`,
      ],
    );
  });

  it("flags a public access block that leaves settings off", async () => {
    const w = world();
    set(w.pab, "blockPublicPolicy", false);
    set(w.pab, "restrictPublicBuckets", undefined);
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.s3.Bucket "photos": its aws.s3.BucketPublicAccessBlock "photos-pab" leaves blockPublicPolicy, ` +
        `restrictPublicBuckets off, so the bucket can still be made public. Set blockPublicAcls, blockPublicPolicy, ` +
        `ignorePublicAcls and restrictPublicBuckets all to true.`,
    ]);
  });
});

describe(title(s3BucketEncryptionConfigured), () => {
  const policy = s3BucketEncryptionConfigured;
  const MESSAGE =
    `aws.s3.Bucket "photos" has no server-side encryption configuration: S3 applies SSE-S3 by default, but nothing in ` +
    `the stack states or enforces the key. Add an aws.s3.BucketServerSideEncryptionConfiguration for it (SSE-KMS with a ` +
    `customer-managed key, or AES256).`;

  it("passes a bucket with an encryption configuration resource", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags a bucket without one", async () => {
    const w = world();
    assert.deepEqual(
      await messages(
        policy,
        w.all().filter((r) => r !== w.sse),
      ),
      [MESSAGE],
    );
  });

  it("accepts the bucket's inline configuration", async () => {
    const w = world();
    set(w.bucket, "serverSideEncryptionConfiguration", {
      rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
    });
    assert.deepEqual(
      await messages(
        policy,
        w.all().filter((r) => r !== w.sse),
      ),
      [],
    );
  });
});

describe(title(s3BucketTlsOnly), () => {
  const policy = s3BucketTlsOnly;
  const MESSAGE =
    `aws.s3.Bucket "photos" has no bucket policy denying requests made without TLS. Add an aws.s3.BucketPolicy with a ` +
    `statement that denies s3:* on the bucket and its objects to every principal when "aws:SecureTransport" is "false".`;

  it("passes a bucket whose policy denies insecure transport", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags a bucket without a bucket policy", async () => {
    const w = world();
    assert.deepEqual(
      await messages(
        policy,
        w.all().filter((r) => r !== w.bucketPolicy),
      ),
      [MESSAGE],
    );
  });

  it("flags a policy whose Deny is not about insecure transport", async () => {
    const w = world();
    set(
      w.bucketPolicy,
      "policy",
      JSON.stringify({
        Statement: [
          { Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: ARN.bucket("photos-b") },
        ],
      }),
    );
    assert.deepEqual(await messages(policy, w.all()), [MESSAGE]);
  });
});

describe(title(sqsQueueEncrypted), () => {
  const policy = sqsQueueEncrypted;

  it("passes queues encrypted by default, by SSE-SQS or by KMS", async () => {
    const w = world();
    set(w.dlq, "sqsManagedSseEnabled", true);
    assert.deepEqual(await messages(policy, w.all()), []);
  });

  it("flags a queue with SSE-SQS turned off and no key", async () => {
    const w = world();
    set(w.dlq, "sqsManagedSseEnabled", false);
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.sqs.Queue "jobs-dlq" is not encrypted at rest: sqsManagedSseEnabled is false and no kmsMasterKeyId is set. ` +
        `Remove sqsManagedSseEnabled: false (SSE-SQS is the default), or set kmsMasterKeyId to a customer-managed KMS ` +
        `key whose key policy lets the queue's producers use it.`,
    ]);
  });
});

describe(title(snsTopicEncrypted), () => {
  const policy = snsTopicEncrypted;

  it("passes a topic with a KMS key", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags a topic without one", async () => {
    const w = world();
    set(w.topic, "kmsMasterKeyId", undefined);
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.sns.Topic "audit" is not encrypted at rest: no kmsMasterKeyId is set. Set kmsMasterKeyId to a ` +
        `customer-managed KMS key whose key policy lets its publishers use it (for S3: s3.amazonaws.com with ` +
        `kms:GenerateDataKey* and kms:Decrypt; not alias/aws/sns, which S3 cannot use).`,
    ]);
  });
});

describe(title(eventbridgeApiDestinationHttps), () => {
  const policy = eventbridgeApiDestinationHttps;
  const destination = (endpoint: string) =>
    res(T.eventApiDestination, "crm", {
      connectionArn: "arn:c",
      httpMethod: "POST",
      invocationEndpoint: endpoint,
    });

  it("passes an https:// endpoint", async () => {
    assert.deepEqual(await messages(policy, [destination("HTTPS://crm.example.com/hook")]), []);
  });

  it("flags an http:// endpoint", async () => {
    assert.deepEqual(await messages(policy, [destination("http://crm.example.com/hook")]), [
      `aws.cloudwatch.EventApiDestination "crm": invocationEndpoint "http://crm.example.com/hook" is not an https:// ` +
        `URL. EventBridge API destinations are HTTPS endpoints, and the connection's credentials must not travel in ` +
        `clear text. Use the endpoint's https:// URL.`,
    ]);
  });
});

describe(title(eventbridgeConnectionSecretsSecret), () => {
  const policy = eventbridgeConnectionSecretsSecret;
  const connection = (secretInputs: string[]) =>
    res(
      T.eventConnection,
      "crm",
      {
        authorizationType: "OAUTH_CLIENT_CREDENTIALS",
        authParameters: {
          oauth: {
            authorizationEndpoint: "https://auth.example.com/token",
            httpMethod: "POST",
            clientParameters: { clientId: "id", clientSecret: "s3cr3t" },
            oauthHttpParameters: {
              bodies: [
                { key: "audience", value: "crm", isValueSecret: false },
                { key: "assertion", value: "signed", isValueSecret: true },
              ],
            },
          },
          invocationHttpParameters: { headers: [{ key: "x-tenant", value: "t-1", isValueSecret: true }] },
        },
      },
      { secretInputs },
    );
  const plain = (path: string) =>
    `aws.cloudwatch.EventConnection "crm": ${path} is not a secret, so Pulumi stores it in plain text in the state ` +
    `(and it is probably in plain text in the program or the stack's config). Read it with config.requireSecret(...) ` +
    `or wrap it in pulumi.secret(...).`;

  it("passes credentials that are secrets, one by one or as a whole", async () => {
    const each = [
      "authParameters.oauth.clientParameters.clientSecret",
      "authParameters.oauth.oauthHttpParameters.bodies[1].value",
      "authParameters.invocationHttpParameters.headers[0].value",
    ];
    assert.deepEqual(await messages(policy, [connection(each)]), []);
    assert.deepEqual(await messages(policy, [connection(["authParameters"])]), []);
  });

  it("flags each credential in plain text (and not the parameters that are not secret)", async () => {
    assert.deepEqual(
      await messages(policy, [connection(["authParameters.oauth.clientParameters.clientSecret"])]),
      [
        plain("authParameters.invocationHttpParameters.headers[0].value"),
        plain("authParameters.oauth.oauthHttpParameters.bodies[1].value"),
      ],
    );
  });

  it("reports as mandatory: CrossGuard validates a remediate-level policy as mandatory", async () => {
    const { violations } = await evaluate(policy, [connection([])]);
    assert.deepEqual(
      violations.map((v) => v.enforcementLevel),
      ["mandatory", "mandatory", "mandatory"],
    );
  });

  it("is not applicable under CrossGuard, which hides secretness from validations", async () => {
    const validate = policy.validateResource as (
      args: ResourceValidationArgs,
      report: (m: string) => void,
    ) => void;
    const reasons: string[] = [];
    const args = {
      type: T.eventConnection,
      name: "crm",
      urn: "urn:crm",
      props: { authParameters: { apiKey: { key: "k", value: "v" } } },
      opts: {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
      },
      stackTags: new Map<string, string>(),
      isType: () => true,
      asType: () => undefined,
      getConfig: <C extends object>() => ({}) as C,
      notApplicable: (reason?: string): never => {
        reasons.push(reason ?? "");
        throw new Error("not applicable");
      },
    } as unknown as ResourceValidationArgs;
    assert.throws(() => validate(args, () => assert.fail("no violation expected")), /not applicable/);
    assert.deepEqual(reasons, [
      "@pulumi/policy does not tell validations which inputs are secret; the remediation marks the credentials secret, and `npm run check` reports them",
    ]);
  });

  it("remediates under CrossGuard by wrapping plain-text credentials in Secret, leaving secrets alone", () => {
    // As @pulumi/policy's server hands props to a remediation: secrets as Secret, behind its proxies.
    const apiKey: { key: string; value: unknown } = { key: "x-api-key", value: "plain" };
    const header: { key: string; value: unknown; isValueSecret: boolean } = {
      key: "x-tenant",
      value: new Secret("t-1"),
      isValueSecret: true,
    };
    const raw = {
      authorizationType: "API_KEY",
      authParameters: { apiKey, invocationHttpParameters: { headers: [header] } },
    };
    const props = unknownCheckingProxy(secretsPreservingProxy(raw)) as Record<string, unknown>;
    assert.equal(markCredentialsSecret(props), props);
    assert.ok(apiKey.value instanceof Secret);
    assert.equal((apiKey.value as Secret).value, "plain");
    assert.ok(header.value instanceof Secret);
    assert.equal((header.value as Secret).value, "t-1");
    assert.equal(markCredentialsSecret(props), undefined, "nothing left to remediate");
  });
});
