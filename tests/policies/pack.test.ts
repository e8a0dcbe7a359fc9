import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { Policies, ResourceValidationPolicy, StackValidationPolicy, UnknownValueError } from "@pulumi/policy";
import { policies } from "../../policies/all";
import { T } from "../../policies/types";
import { evaluatePolicies, PolicyError, policyConfig } from "../../cli/checker/policyRuntime";
import { CTX, res } from "./harness";
import { world } from "./world";

const LEVELS: Record<string, string> = {
  "s3-bucket-single-notification": "mandatory",
  "s3-notification-filters-disjoint": "mandatory",
  "s3-notification-no-fifo-destination": "mandatory",
  "s3-notification-destination-same-region": "mandatory",
  "s3-notification-depends-on-destination-access": "mandatory",
  "s3-notification-foreign-bucket": "advisory",
  "s3-principal-scoped-to-source": "advisory",
  "s3-bucket-public-access-blocked": "advisory",
  "s3-bucket-encryption-configured": "advisory",
  "s3-bucket-tls-only": "advisory",
  "sqs-queue-encrypted": "advisory",
  "sns-topic-encrypted": "advisory",
  "eventbridge-api-destination-https": "mandatory",
  "eventbridge-connection-secrets-secret": "remediate",
  "s3-destination-kms-key-usable": "mandatory",
  "sqs-queue-dead-letter-queue": "mandatory",
  "sqs-queue-max-receive-count": "advisory",
  "sqs-visibility-timeout-covers-consumer": "mandatory",
  "sqs-event-source-reports-batch-failures": "advisory",
  "eventbridge-target-dead-letter-queue": "mandatory",
  "eventbridge-target-retry-policy": "advisory",
  "s3-lambda-target-on-failure-destination": "mandatory",
  "event-delivery-hop-permitted": "mandatory",
  "s3-lambda-no-recursive-write": "mandatory",
  "s3-lambda-role-no-recursive-write": "advisory",
  "sfn-state-machine-definition-valid": "mandatory",
};

describe("the pack", () => {
  it("holds each policy once, kebab-case, described as 'Checks whether …', at its chosen level", () => {
    assert.deepEqual(Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel])), LEVELS);
    for (const p of policies) {
      assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(p.description.startsWith("Checks whether "), p.name);
      const isStack = typeof (p as StackValidationPolicy).validateStack === "function";
      const isResource = (p as ResourceValidationPolicy).validateResource !== undefined;
      assert.ok(isStack !== isResource, `${p.name} is exactly one kind`);
      for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
        assert.notEqual(key, "enforcementLevel");
        assert.notEqual(
          (schema as { default?: unknown }).default,
          undefined,
          `${p.name}.${key} has a default`,
        );
      }
    }
  });

  it("names the type tokens @pulumi/aws's classes use", () => {
    const classes: [string, { isInstance(o: unknown): boolean }][] = [
      [T.bucket, aws.s3.Bucket],
      [T.bucketV2, aws.s3.BucketV2],
      [T.bucketNotification, aws.s3.BucketNotification],
      [T.bucketPolicy, aws.s3.BucketPolicy],
      [T.bucketPublicAccessBlock, aws.s3.BucketPublicAccessBlock],
      [T.bucketSse, aws.s3.BucketServerSideEncryptionConfiguration],
      [T.bucketSseV2, aws.s3.BucketServerSideEncryptionConfigurationV2],
      [T.queue, aws.sqs.Queue],
      [T.queuePolicy, aws.sqs.QueuePolicy],
      [T.redrivePolicy, aws.sqs.RedrivePolicy],
      [T.topic, aws.sns.Topic],
      [T.topicPolicy, aws.sns.TopicPolicy],
      [T.topicSubscription, aws.sns.TopicSubscription],
      [T.eventRule, aws.cloudwatch.EventRule],
      [T.function, aws.lambda.Function],
      [T.permission, aws.lambda.Permission],
      [T.eventSourceMapping, aws.lambda.EventSourceMapping],
      [T.functionEventInvokeConfig, aws.lambda.FunctionEventInvokeConfig],
      [T.kmsKey, aws.kms.Key],
      [T.kmsKeyPolicy, aws.kms.KeyPolicy],
      [T.kmsAlias, aws.kms.Alias],
      [T.role, aws.iam.Role],
      [T.rolePolicy, aws.iam.RolePolicy],
      [T.iamPolicy, aws.iam.Policy],
      [T.rolePolicyAttachment, aws.iam.RolePolicyAttachment],
      [T.eventTarget, aws.cloudwatch.EventTarget],
      [T.eventApiDestination, aws.cloudwatch.EventApiDestination],
      [T.eventConnection, aws.cloudwatch.EventConnection],
    ];
    for (const [type, cls] of classes) assert.ok(cls.isInstance({ __pulumiType: type }), type);
  });

  it("finds nothing wrong with the reference stack", async () => {
    assert.deepEqual((await evaluatePolicies(policies, world().all(), CTX)).violations, []);
  });
});

describe("the checker's CrossGuard stand-in", () => {
  const stackPolicy = (
    name: string,
    body: StackValidationPolicy["validateStack"],
    extra: object = {},
  ): StackValidationPolicy => ({
    name,
    description: "Checks whether the stand-in behaves as CrossGuard.",
    validateStack: body,
    ...extra,
  });

  it("takes the level from the pack config, then the policy, then the pack (advisory); skips disabled; validates remediate as mandatory", async () => {
    const report: StackValidationPolicy["validateStack"] = (_args, reportViolation) =>
      reportViolation("found");
    const pack: Policies = [
      stackPolicy("a", report),
      stackPolicy("b", report, { enforcementLevel: "mandatory" }),
      stackPolicy("c", report, { enforcementLevel: "mandatory" }),
      stackPolicy("d", report, { enforcementLevel: "remediate" }),
      stackPolicy("e", report, { enforcementLevel: "mandatory" }),
    ];
    const { violations } = await evaluatePolicies(pack, [], {
      ...CTX,
      config: { c: "advisory", e: { enforcementLevel: "disabled" } },
    });
    assert.deepEqual(
      violations.map((v) => [v.policy, v.enforcementLevel, v.resource]),
      [
        ["a", "advisory", undefined],
        ["b", "mandatory", undefined],
        ["c", "advisory", undefined],
        ["d", "mandatory", undefined],
      ],
    );
  });

  it("hands getConfig the schema's defaults overlaid with the pack config, without the level", () => {
    const schema = {
      properties: { n: { type: "integer" as const, default: 6 }, s: { type: "string" as const } },
    };
    assert.deepEqual(policyConfig("p", schema, undefined), { n: 6 });
    assert.deepEqual(policyConfig("p", schema, { p: { enforcementLevel: "advisory", n: 3, s: "x" } }), {
      n: 3,
      s: "x",
    });
  });

  it("gives stack policies outputs with links resolved, and resource policies inputs", async () => {
    const bucket = res(T.bucket, "b", { forceDestroy: true }, { outputs: { arn: "arn:aws:s3:::b-1" } });
    bucket.id = "b-1";
    const pab = res(
      T.bucketPublicAccessBlock,
      "pab",
      { bucket: "b-1" },
      { propertyDependencies: { bucket: [bucket] }, parent: bucket },
    );
    const seen: string[] = [];
    await evaluatePolicies(
      [
        stackPolicy("s", (args) => {
          const [b, p] = args.resources;
          seen.push(
            `${b.props.arn} ${b.props.id} ${p.parent?.name} ${p.dependencies.map((d) => d.name)} ${p.propertyDependencies.bucket.map((d) => d.name)} ${b.provider?.name}:${b.provider?.props.region}`,
          );
        }),
        {
          name: "r",
          description: "Checks whether resource policies see inputs.",
          validateResource: (args) => {
            seen.push(
              `${args.name} ${JSON.stringify(args.props)} ${args.opts.parent ?? "-"} ${args.provider?.urn}`,
            );
          },
        },
      ],
      [bucket, pab],
      CTX,
    );
    assert.deepEqual(seen, [
      `arn:aws:s3:::b-1 b-1 b b b default_7_48_0:us-east-1`,
      `b {"forceDestroy":true} - urn:pulumi:test::fixtures::pulumi:providers:aws::default_7_48_0`,
      `pab {"bucket":"b-1"} ${bucket.urn} urn:pulumi:test::fixtures::pulumi:providers:aws::default_7_48_0`,
    ]);
  });

  it("notes notApplicable, turns UnknownValueError into an advisory, and fails on any other error", async () => {
    const { violations, notApplicable } = await evaluatePolicies(
      [
        stackPolicy("na", (args) => args.notApplicable("nothing to see")),
        stackPolicy("unknown", () => {
          throw new UnknownValueError("04da6b54-80e4-46f7-96ec-b56ff0331ba9", ["x"]);
        }),
      ],
      [],
      CTX,
    );
    assert.deepEqual(notApplicable, [{ policy: "na", reason: "nothing to see" }]);
    assert.deepEqual(violations, [
      {
        policy: "unknown",
        enforcementLevel: "advisory",
        resource: undefined,
        message:
          "can't run policy 'unknown' during preview: string value at .x can't be known during preview",
      },
    ]);
    await assert.rejects(
      evaluatePolicies(
        [
          stackPolicy("boom", () => {
            throw new Error("bad");
          }),
        ],
        [],
        CTX,
      ),
      (e: unknown) => e instanceof PolicyError && e.policy === "boom" && /bad/.test(e.message),
    );
  });

  it("skips a typed validation for other types, as CrossGuard does, and reports against the resource", async () => {
    const queue = res(T.queue, "q", { sqsManagedSseEnabled: false });
    const topic = res(T.topic, "t", {});
    const { violations, notApplicable } = await evaluatePolicies(
      policies.filter((p) => p.name === "sqs-queue-encrypted" || p.name === "s3-principal-scoped-to-source"),
      [queue, topic],
      CTX,
    );
    assert.deepEqual(
      violations.map((v) => [v.policy, v.resource?.name]),
      [["sqs-queue-encrypted", "q"]],
    );
    // The array-valued policy runs each typed validation on every resource; the others say not applicable.
    assert.equal(notApplicable.filter((n) => n.policy === "s3-principal-scoped-to-source").length, 12);
  });
});
