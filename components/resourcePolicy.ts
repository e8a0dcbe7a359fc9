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
import { SealedList } from "./sealedList";

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
