/**
 * The parts every EventBridge target shares: a retry policy and a dead-letter queue on the
 * target, and a role that only EventBridge of this account may assume.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext } from "./awsContext";
import { DeadLetterQueue } from "./deadLetterQueue";
import { assumedBy, StatementInput } from "./policyDocument";
import { RuleBindContext } from "./target";

/** EventBridge's retry policy, at its maximum: 185 attempts over 24 hours, then the DLQ. */
export const EVENTBRIDGE_RETRY_POLICY = {
  /** Seconds an event is retried before it goes to the dead-letter queue: 86,400 (24 hours, the maximum). */
  maximumEventAgeInSeconds: 86_400,
  /** Retries before it goes to the dead-letter queue: 185 (the maximum). */
  maximumRetryAttempts: 185,
};

/** The stable JSON payload the Step Functions and webhook targets receive for an object event. */
export const OBJECT_EVENT_INPUT = {
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
  // Only paths present in every S3 object event: quoted strings and two objects, so the JSON stays
  // valid whatever the event type (size, etag, version-id, reason live in `object` / `detail`).
  inputTemplate:
    '{"id":"<id>","type":"<type>","time":"<time>","region":"<region>","bucket":"<bucket>","key":"<key>","object":<object>,"detail":<detail>}',
};

/** The payload for a bucket-level call recorded by CloudTrail. */
export const BUCKET_CALL_INPUT = {
  inputPaths: {
    id: "$.id",
    call: "$.detail.eventName",
    time: "$.time",
    bucket: "$.detail.requestParameters.bucketName",
    who: "$.detail.userIdentity.arn",
    region: "$.detail.awsRegion",
  },
  inputTemplate:
    '{"id":"<id>","type":"Bucket API Call","call":"<call>","time":"<time>","bucket":"<bucket>","who":"<who>","region":"<region>"}',
};

/** Options of {@link createRuleTarget}. */
export interface RuleTargetOptions {
  /** The destination's ARN. */
  arn: pulumi.Input<string>;
  /** The role EventBridge assumes, for targets that need one (Step Functions, API destinations). */
  roleArn?: pulumi.Input<string>;
  /** Send the stable payload instead of the whole event. Default false. */
  transform?: boolean;
  /** Where events go after the retries. */
  deadLetterQueue: DeadLetterQueue;
  /** The component that owns the target. */
  parent: pulumi.Resource;
  /** Resources the target must wait for (a permission or policy). */
  dependsOn?: pulumi.Resource[];
  /** Retry policy. Default {@link EVENTBRIDGE_RETRY_POLICY}. */
  retryPolicy?: { maximumEventAgeInSeconds: number; maximumRetryAttempts: number };
  /** Extra arguments (e.g. `httpTarget`). */
  extra?: Partial<aws.cloudwatch.EventTargetArgs>;
}

/** Creates the EventBridge target of a rule, with its retry policy and dead-letter queue. */
export function createRuleTarget(
  name: string,
  ctx: RuleBindContext,
  o: RuleTargetOptions,
): aws.cloudwatch.EventTarget {
  o.deadLetterQueue.grantSend("events.amazonaws.com", ctx.rule.arn, `Rule "${ctx.ruleKey}"`);
  return new aws.cloudwatch.EventTarget(
    name,
    {
      rule: ctx.rule.name,
      arn: o.arn,
      roleArn: o.roleArn,
      inputTransformer: o.transform
        ? ctx.events === "object"
          ? OBJECT_EVENT_INPUT
          : BUCKET_CALL_INPUT
        : undefined,
      retryPolicy: o.retryPolicy ?? EVENTBRIDGE_RETRY_POLICY,
      deadLetterConfig: { arn: o.deadLetterQueue.arn },
      ...o.extra,
    },
    { parent: o.parent, dependsOn: [...(o.dependsOn ?? []), o.deadLetterQueue.policy] },
  );
}

/** A role only EventBridge of this account may assume, allowed exactly `statement`. */
export function eventsRole(
  name: string,
  statement: StatementInput,
  ctx: AwsContext,
  parent: pulumi.Resource,
): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
  const role = new aws.iam.Role(
    `${name}-events-role`,
    {
      assumeRolePolicy: assumedBy("events.amazonaws.com", ctx.accountId),
    },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-events-policy`,
    {
      role: role.id,
      policy: pulumi
        .output(statement)
        .apply((s) => JSON.stringify({ Version: "2012-10-17", Statement: [s] })),
    },
    { parent },
  );
  return { role, policy };
}
