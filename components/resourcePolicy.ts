/**
 * Resource policies of queues and topics that receive from AWS services: TLS required, and each
 * service principal allowed to send only for its sources in this account. One policy resource per
 * queue or topic, fed by a {@link SealedList} so that every bucket, topic and rule bound to it is
 * in the same document.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext } from "./awsContext";
import { serviceStatements, Statement } from "./policyDocument";
import { ownershipSidPrefix, PolicyKind } from "../model/policyMerge";
import { SealedList } from "../model/sealedList";
import { SharedAccessPolicy } from "./sharedPolicy";
import { stackNamespace } from "./sharedNotification";
import { ownerError } from "./argCheck";

/** A service allowed to send, for one source. */
export interface SourceGrant {
  /** The service principal, e.g. `s3.amazonaws.com`. */
  service: string;
  /** The source's ARN (bucket, topic, rule). */
  sourceArn: pulumi.Input<string>;
}

/** Resolves the sealed grants to plain values. */
export function resolvedGrants(
  grants: SealedList<SourceGrant>,
): pulumi.Output<{ service: string; sourceArn: string }[]> {
  return pulumi
    .output(grants.values)
    .apply((list) =>
      pulumi.all(
        list.map((g) => pulumi.output(g.sourceArn).apply((arn) => ({ service: g.service, sourceArn: arn }))),
      ),
    );
}

/** A statement denying any request made without TLS. */
export function denyInsecureTransport(actions: string, resource: string | string[]): Statement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: actions,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": false } },
  };
}

/**
 * The policy document of a queue or topic: TLS only, plus one statement per service allowed to
 * deliver (`action`), scoped to its sources and the account.
 */
function deliveryPolicyDocument(
  denyActions: string,
  action: string,
  arn: string,
  accountId: string,
  grants: readonly { service: string; sourceArn: string }[],
): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      denyInsecureTransport(denyActions, arn),
      ...serviceStatements(grants, [action], arn, accountId, "Allow"),
    ],
  });
}

/** The policy document of a queue: TLS only, plus one scoped statement per sending service. */
export function queuePolicyDocument(
  queueArn: string,
  accountId: string,
  grants: readonly { service: string; sourceArn: string }[],
): string {
  return deliveryPolicyDocument("sqs:*", "sqs:SendMessage", queueArn, accountId, grants);
}

/** The policy document of a topic: TLS only, plus one scoped statement per publishing service. */
export function topicPolicyDocument(
  topicArn: string,
  accountId: string,
  grants: readonly { service: string; sourceArn: string }[],
): string {
  return deliveryPolicyDocument("sns:Publish", "sns:Publish", topicArn, accountId, grants);
}

/** Creates the one queue policy of a queue from its sealed grants. */
export function sealedQueuePolicy(
  name: string,
  queue: { url: pulumi.Input<string>; arn: pulumi.Input<string> },
  grants: SealedList<SourceGrant>,
  ctx: AwsContext,
  parent: pulumi.Resource,
): aws.sqs.QueuePolicy {
  return new aws.sqs.QueuePolicy(
    name,
    {
      queueUrl: queue.url,
      policy: pulumi
        .all([queue.arn, ctx.accountId, resolvedGrants(grants)])
        .apply(([arn, account, list]) => queuePolicyDocument(arn, account, list)),
    },
    { parent },
  );
}

/** Creates the one topic policy of a topic from its sealed grants. */
export function sealedTopicPolicy(
  name: string,
  topicArn: pulumi.Input<string>,
  grants: SealedList<SourceGrant>,
  ctx: AwsContext,
  parent: pulumi.Resource,
): aws.sns.TopicPolicy {
  return new aws.sns.TopicPolicy(
    name,
    {
      arn: topicArn,
      policy: pulumi
        .all([topicArn, ctx.accountId, resolvedGrants(grants)])
        .apply(([arn, account, list]) => topicPolicyDocument(arn, account, list)),
    },
    { parent },
  );
}

/**
 * What this stack does with the access policy of a queue or topic it adopts (`existing`):
 *
 * - `"add-statements"` (default): add only this stack's statements, with owner-namespaced Sids, next
 *   to every other statement, which is written back exactly as read (a {@link SharedAccessPolicy});
 *   remove only them on update and delete. Nobody else loses a permission.
 * - `"replace-entire-policy"`: write the whole policy (TLS only, plus this stack's statements) with
 *   `aws.sqs.QueuePolicy` / `aws.sns.TopicPolicy`, **deleting every statement anyone else put there**
 *   — only for a queue or topic that nothing else sends to.
 * - `"managed-elsewhere"`: write nothing; whoever manages the policy must allow this stack's sources
 *   (the target's `requiredStatements` lists them).
 */
export type AccessPolicyMode = "add-statements" | "replace-entire-policy" | "managed-elsewhere";

const ACCESS_POLICY_MODES: readonly AccessPolicyMode[] = [
  "add-statements",
  "replace-entire-policy",
  "managed-elsewhere",
];

/**
 * The access policy mode of an adopted queue or topic, from `accessPolicy` and the deprecated
 * `managePolicy` (`false` is `"managed-elsewhere"`; `true` is the default, `"add-statements"`).
 *
 * @throws Error naming the component, the field, the value and the fix.
 */
export function accessPolicyMode(
  owner: string,
  existing: { accessPolicy?: AccessPolicyMode; managePolicy?: boolean },
): AccessPolicyMode {
  const { accessPolicy, managePolicy } = existing;
  if (accessPolicy !== undefined && !ACCESS_POLICY_MODES.includes(accessPolicy)) {
    throw ownerError(
      owner,
      `"existing.accessPolicy" is ${JSON.stringify(accessPolicy)}; use "add-statements" (the default: ` +
        `add this stack's statements next to everyone else's), "replace-entire-policy" (delete every other ` +
        `statement) or "managed-elsewhere" (write nothing).`,
    );
  }
  if (accessPolicy !== undefined && managePolicy !== undefined) {
    throw ownerError(
      owner,
      `give "existing.accessPolicy" or the deprecated "existing.managePolicy", not both.`,
    );
  }
  if (managePolicy === false) return "managed-elsewhere";
  return accessPolicy ?? "add-statements";
}

/** The statements this stack needs in an adopted queue's or topic's policy: one per sending service. */
export function requiredStatements(
  kind: PolicyKind,
  arn: pulumi.Input<string>,
  grants: SealedList<SourceGrant>,
  ctx: AwsContext,
  sidPrefix: string,
): pulumi.Output<Statement[]> {
  const action = kind === "sqs" ? "sqs:SendMessage" : "sns:Publish";
  return pulumi
    .all([arn, ctx.accountId, resolvedGrants(grants)])
    .apply(([resource, account, list]) => serviceStatements(list, [action], resource, account, sidPrefix));
}

/**
 * This stack's statements in an adopted queue's or topic's policy, added next to everyone else's
 * (a {@link SharedAccessPolicy}; Sids `pulumi_<digest>_<component>_<Service>`).
 *
 * @param name       the resource's name, `<component>-policy`.
 * @param kind       `sqs` or `sns`.
 * @param target     the queue's or topic's ARN, and a queue's URL.
 * @param statements this stack's statements ({@link requiredStatements}).
 * @param sidPrefix  their Sid prefix ({@link adoptedSidPrefix}).
 * @param parent     the component.
 */
export function sharedAccessPolicy(
  name: string,
  kind: PolicyKind,
  target: { arn: pulumi.Input<string>; url?: pulumi.Input<string> },
  statements: pulumi.Output<Statement[]>,
  sidPrefix: string,
  parent: pulumi.Resource,
): SharedAccessPolicy {
  return new SharedAccessPolicy(
    name,
    {
      kind,
      arn: target.arn,
      url: target.url,
      sidPrefix,
      statements: statements as pulumi.Output<unknown> as pulumi.Output<Record<string, unknown>[]>,
    },
    { parent },
  );
}

/** The Sid prefix of an adopted queue's or topic's statements in the running stack. */
export function adoptedSidPrefix(component: string): string {
  return ownershipSidPrefix(stackNamespace(), component);
}
