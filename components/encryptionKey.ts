/**
 * A customer-managed KMS key that the AWS services delivering S3 events may use.
 *
 * S3 (and SNS, EventBridge) must call `kms:GenerateDataKey*` and `kms:Decrypt` on the key of an
 * encrypted destination, or the message is silently dropped; AWS-managed keys (`alias/aws/sqs`,
 * `alias/aws/sns`) cannot grant that, so they are refused.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ARN_KINDS, arnOf, checkRange, componentOwner, ownerError, shown, StringCheck } from "./argCheck";
import { awsContext } from "./awsContext";
import { serviceStatements, Statement } from "./policyDocument";
import { resolvedGrants, SourceGrant } from "./resourcePolicy";
import { SealedList } from "../model/sealedList";

/** Arguments of {@link EncryptionKey}. */
export interface EncryptionKeyArgs {
  /** Description of the key. Default: "S3 event routing key <name>". */
  description?: pulumi.Input<string>;
  /** Days before a deleted key is destroyed, 7 to 30. Default 30. */
  deletionWindowInDays?: number;
  /** Protect the key from deletion by Pulumi. Default false. */
  protect?: boolean;
}

/** The actions a service needs on the key of an encrypted destination. */
export const SERVICE_KEY_ACTIONS = ["kms:GenerateDataKey*", "kms:Decrypt"];

/** Refuses AWS-managed keys as the key of an S3 destination. */
export function assertCustomerManagedKey(keyId: string, owner: string): void {
  customerManagedKey(owner, "kmsKeyArn")(keyId, shown(keyId), false);
}

const KEY_ID =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias\/[A-Za-z0-9/_-]{1,250})$/;

/**
 * The check that a key reference (key id, alias, or their ARNs) is a KMS key reference, and not an
 * AWS-managed key, which S3 cannot use.
 */
export function customerManagedKey(owner: string, field: string): StringCheck {
  return (keyId, display, secret) => {
    if (/(^|:)alias\/aws\//.test(keyId)) {
      throw ownerError(
        owner,
        `${display} is an AWS-managed key. S3 cannot use it, so every event would be silently dropped. ` +
          `Use a customer-managed key (an EncryptionKey, or a key whose policy lets s3.amazonaws.com call ` +
          `kms:GenerateDataKey* and kms:Decrypt), or leave the key out for the service's own encryption.`,
      );
    }
    if (!KEY_ID.test(keyId)) arnOf(owner, field, ARN_KINDS.key)(keyId, display, secret);
  };
}

/** A customer-managed KMS key with rotation on and a key policy scoped to its sources. */
export class EncryptionKey extends pulumi.ComponentResource {
  /** The key. */
  readonly key: aws.kms.Key;
  /** The key's ARN. */
  readonly arn: pulumi.Output<string>;
  /** The key's id. */
  readonly keyId: pulumi.Output<string>;
  /** The key policy: what must exist before a service uses the key (destinations depend on it). */
  readonly policy: aws.kms.KeyPolicy;
  private readonly grants: SealedList<SourceGrant>;

  /**
   * @param name  the component's name.
   * @param args  key settings.
   * @param opts  component options.
   */
  constructor(name: string, args: EncryptionKeyArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    args ??= {};
    super("s3-event-routes:index:EncryptionKey", name, {}, opts);
    checkRange(
      componentOwner("EncryptionKey", name),
      "deletionWindowInDays",
      args?.deletionWindowInDays,
      7,
      30,
    );
    const ctx = awsContext(this);
    this.grants = new SealedList(`the key policy of key "${name}"`);
    const grants = resolvedGrants(this.grants);
    const policy = pulumi.all([ctx.accountId, ctx.partition, grants]).apply(([account, partition, list]) => {
      const statements: Statement[] = [
        {
          Sid: "AccountAdministers",
          Effect: "Allow",
          Principal: { AWS: `arn:${partition}:iam::${account}:root` },
          Action: "kms:*",
          Resource: "*",
        },
        ...serviceStatements(list, SERVICE_KEY_ACTIONS, "*", account, "ServiceUse"),
      ];
      return JSON.stringify({ Version: "2012-10-17", Statement: statements });
    });
    // The policy is a resource of its own: the key's ARN is needed by the queues and topics it
    // encrypts, whose ARNs the policy names (a cycle if the policy were an input of the key).
    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: args.description ?? `S3 event routing key ${name}`,
        enableKeyRotation: true,
        deletionWindowInDays: args.deletionWindowInDays ?? 30,
      },
      { parent: this, protect: args.protect },
    );
    this.policy = new aws.kms.KeyPolicy(
      `${name}-policy`,
      { keyId: this.key.keyId, policy },
      { parent: this },
    );
    this.arn = this.key.arn;
    this.keyId = this.key.keyId;
    this.registerOutputs({ arn: this.arn });
  }

  /**
   * Lets a service principal use the key for messages from one source (scoped by source ARN and
   * the account).
   *
   * @param service    e.g. `s3.amazonaws.com`, `sns.amazonaws.com`, `events.amazonaws.com`.
   * @param sourceArn  the bucket, topic or rule that sends.
   * @param owner        who asks, for the error if the key policy is already final.
   *
   * @internal
   */
  grantService(service: string, sourceArn: pulumi.Input<string>, owner: string): void {
    this.grants.add({ service, sourceArn }, owner);
  }
}
