/**
 * The secure defaults of every bucket this product creates: all public access blocked,
 * server-side encryption (SSE-S3, or SSE-KMS with a customer-managed key and the bucket key),
 * object ownership enforced (no ACLs), optional versioning, and a bucket policy that denies any
 * request made without TLS. Opting out of a default is an explicit argument.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EncryptionKey } from "./encryptionKey";
import { StatementInput } from "./policyDocument";
import { denyInsecureTransport } from "./resourcePolicy";

/** Arguments of {@link createSecureBucket}. */
export interface SecureBucketArgs {
  /** The bucket's physical name. Default: the logical name plus a random suffix. */
  bucketName?: pulumi.Input<string>;
  /** Keep every version of every object. Default false. */
  versioning?: boolean;
  /** Encrypt objects with this customer-managed key (SSE-KMS, bucket key on). Default: SSE-S3. */
  kmsKey?: EncryptionKey;
  /** Let `pulumi destroy` delete a bucket that still holds objects. Default false. */
  forceDestroy?: boolean;
  /** Opt out of blocking all public access. Default false: all four public-access blocks on. */
  allowPublicAccess?: boolean;
  /** Opt out of the bucket policy that denies requests without TLS. Default false. */
  allowInsecureTransport?: boolean;
  /** Further bucket policy statements; `bucketArn` is the bucket's ARN. */
  policyStatements?: (bucketArn: pulumi.Output<string>) => StatementInput[];
  /** Protect the bucket from deletion. Default false. */
  protect?: boolean;
}

/** The resources of a secure bucket. */
export interface SecureBucket {
  /** The bucket. */
  bucket: aws.s3.Bucket;
  /** The bucket policy, unless opted out with no further statements. */
  policy?: aws.s3.BucketPolicy;
  /** The public access block, unless opted out. */
  publicAccessBlock?: aws.s3.BucketPublicAccessBlock;
}

/** Creates a bucket with the secure defaults, its children named `<name>-<part>` under `parent`. */
export function createSecureBucket(
  name: string,
  args: SecureBucketArgs,
  parent: pulumi.Resource,
): SecureBucket {
  const opts = { parent };
  const bucket = new aws.s3.Bucket(
    name,
    { bucket: args.bucketName, forceDestroy: args.forceDestroy ?? false },
    { parent, protect: args.protect },
  );
  const publicAccessBlock = args.allowPublicAccess
    ? undefined
    : new aws.s3.BucketPublicAccessBlock(
        `${name}-public-access`,
        {
          bucket: bucket.id,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
        opts,
      );
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    opts,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    {
      bucket: bucket.id,
      rules: [
        args.kmsKey
          ? {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: "aws:kms",
                kmsMasterKeyId: args.kmsKey.arn,
              },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    },
    opts,
  );
  if (args.versioning) {
    new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      opts,
    );
  }
  const extra = args.policyStatements?.(bucket.arn) ?? [];
  let policy: aws.s3.BucketPolicy | undefined;
  if (!args.allowInsecureTransport || extra.length > 0) {
    policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: pulumi.all([bucket.arn, pulumi.output(extra)]).apply(([arn, statements]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              ...(args.allowInsecureTransport ? [] : [denyInsecureTransport("s3:*", [arn, `${arn}/*`])]),
              ...statements,
            ],
          }),
        ),
      },
      // A public-access block being written concurrently can reject a policy update.
      { parent, dependsOn: publicAccessBlock ? [publicAccessBlock] : [] },
    );
  }
  return { bucket, policy, publicAccessBlock };
}
