/**
 * Hardening policies: S3 principals scoped to their source, buckets private, encrypted and TLS-only,
 * queues and topics encrypted, webhooks over HTTPS with their credentials kept secret.
 */
import * as aws from "@pulumi/aws";
import {
  remediateResourceOfType,
  ResourceValidationPolicy,
  Secret,
  validateResourceOfType,
} from "@pulumi/policy";
import { hasBoolCondition, namesService, parsePolicy, requiredValues, statementLabel } from "./iamPolicy";
import { at, isAbsent, isUnknown, label, list, obj, recordOfArgs, ResourceRecord, str } from "./records";
import { isSecretPath, pathSegments, secretInputPaths } from "./secretness";
import { notifications } from "./links";
import { StackIndex, Violation } from "./stack";
import { BUCKET_SSE_TYPES, BUCKET_TYPES, T } from "./types";
import { resourcePolicy, stackPolicy } from "./policy";

// ---------------------------------------------------------------------------------------------
// s3-principal-scoped-to-source

function missingList(missing: string[], noun: string): string {
  return missing.length === 2 ? `${missing.join(" and ")} ${noun}s` : `an ${missing[0]} ${noun}`;
}

/** Statements of `r`'s policy document that let s3.amazonaws.com in without both source conditions. */
export function unscopedS3StatementMessages(r: ResourceRecord): string[] {
  const statements = parsePolicy(r.props.policy);
  if (!statements) return [];
  const out: string[] = [];
  for (const s of statements) {
    if (s.effect !== "Allow" || !namesService(s, "s3.amazonaws.com")) continue;
    const missing = ["aws:SourceArn", "aws:SourceAccount"].filter((k) => requiredValues(s, k) === undefined);
    if (missing.length === 0) continue;
    out.push(
      `${label(r)}: ${statementLabel(s)} lets s3.amazonaws.com ${describeActions(s.actions)} without ${missingList(missing, "condition")}, ` +
        `so any bucket in any account could use this grant (confused deputy). Add the conditions ` +
        `ArnLike { "aws:SourceArn": <bucket ARN> } and StringEquals { "aws:SourceAccount": <bucket owner's account id> }.`,
    );
  }
  return out;
}

function describeActions(actions: string[]): string {
  return actions.length === 0 ? "act" : `call ${actions.join(", ")}`;
}

/** The message for a Lambda permission that lets S3 invoke a function without both source fields. */
export function unscopedS3PermissionMessages(r: ResourceRecord): string[] {
  if (str(r.props.principal) !== "s3.amazonaws.com") return [];
  const missing = (["sourceArn", "sourceAccount"] as const).filter((k) => isAbsent(r.props[k]));
  if (missing.length === 0) return [];
  const fn = str(r.props.function) ?? "its function";
  const what = missing.length === 2 ? "sourceArn and sourceAccount" : missing[0];
  return [
    `${label(r)} lets s3.amazonaws.com invoke "${fn}" without ${what}, so any bucket in any account that names the ` +
      `function could invoke it (confused deputy). Set sourceArn to the bucket's ARN and sourceAccount to the bucket ` +
      `owner's account id.`,
  ];
}

/** Checks whether S3, as a principal, is scoped with both aws:SourceArn and aws:SourceAccount. */
export const s3PrincipalScopedToSource = resourcePolicy(
  {
    name: "s3-principal-scoped-to-source",
    description:
      "Checks whether every grant to s3.amazonaws.com (SQS queue policy, SNS topic policy, Lambda permission, KMS key policy) is scoped with both aws:SourceArn and aws:SourceAccount.",
    enforcementLevel: "advisory",
  },
  [
    [aws.sqs.QueuePolicy, unscopedS3StatementMessages],
    [aws.sqs.Queue, unscopedS3StatementMessages],
    [aws.sns.TopicPolicy, unscopedS3StatementMessages],
    [aws.sns.Topic, unscopedS3StatementMessages],
    [aws.kms.Key, unscopedS3StatementMessages],
    [aws.kms.KeyPolicy, unscopedS3StatementMessages],
    [aws.lambda.Permission, unscopedS3PermissionMessages],
  ],
);

// ---------------------------------------------------------------------------------------------
// Bucket hardening: scoped to the buckets whose events the stack routes, so that the findings on
// event sources are not buried under those of every other bucket of a larger program.

/** The stack's buckets that an aws.s3.BucketNotification of the stack configures, in registration order. */
export function eventSourceBuckets(stack: StackIndex): ResourceRecord[] {
  const notified = new Set(
    notifications(stack).flatMap(({ bucket }) => (bucket.resource ? [bucket.resource] : [])),
  );
  return stack.ofType(...BUCKET_TYPES).filter((b) => notified.has(b));
}

// ---------------------------------------------------------------------------------------------
// s3-bucket-public-access-blocked

const PAB_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
] as const;

/** Buckets of the stack without a public access block that has all four settings on. */
export function publicAccessViolations(stack: StackIndex): Violation[] {
  const out: Violation[] = [];
  for (const bucket of eventSourceBuckets(stack)) {
    const blocks = stack.referrers(bucket, T.bucketPublicAccessBlock, "bucket", BUCKET_TYPES);
    if (blocks.length === 0) {
      out.push({
        urn: bucket.urn,
        message:
          `${label(bucket)} has no aws.s3.BucketPublicAccessBlock, so nothing in the stack stops a later ACL or bucket ` +
          `policy from making its objects public. Add an aws.s3.BucketPublicAccessBlock for it with blockPublicAcls, ` +
          `blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.`,
      });
      continue;
    }
    const off = (b: ResourceRecord) => PAB_FLAGS.filter((f) => b.props[f] !== true && !isUnknown(b.props[f]));
    if (blocks.some((b) => off(b).length === 0)) continue;
    out.push({
      urn: bucket.urn,
      message:
        `${label(bucket)}: its ${label(blocks[0])} leaves ${off(blocks[0]).join(", ")} off, so the bucket can still be made ` +
        `public. Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all to true.`,
    });
  }
  return out;
}

/** Checks whether every bucket's public access is fully blocked. */
export const s3BucketPublicAccessBlocked = stackPolicy(
  {
    name: "s3-bucket-public-access-blocked",
    description:
      "Checks whether every S3 bucket whose events the stack routes (an aws.s3.BucketNotification configures it) has an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
    enforcementLevel: "advisory",
  },
  publicAccessViolations,
);

// ---------------------------------------------------------------------------------------------
// s3-bucket-encryption-configured

/** Buckets of the stack without a server-side encryption configuration. */
export function bucketEncryptionViolations(stack: StackIndex): Violation[] {
  const out: Violation[] = [];
  for (const bucket of eventSourceBuckets(stack)) {
    const inline = bucket.props.serverSideEncryptionConfiguration;
    if (isUnknown(inline) || at(inline, "rule") !== undefined) continue;
    if (BUCKET_SSE_TYPES.some((t) => stack.referrers(bucket, t, "bucket", BUCKET_TYPES).length > 0)) continue;
    out.push({
      urn: bucket.urn,
      message:
        `${label(bucket)} has no server-side encryption configuration: S3 applies SSE-S3 by default, but nothing in ` +
        `the stack states or enforces the key. Add an aws.s3.BucketServerSideEncryptionConfiguration for it ` +
        `(SSE-KMS with a customer-managed key, or AES256).`,
    });
  }
  return out;
}

/** Checks whether every bucket has a server-side encryption configuration. */
export const s3BucketEncryptionConfigured = stackPolicy(
  {
    name: "s3-bucket-encryption-configured",
    description:
      "Checks whether every S3 bucket whose events the stack routes has a server-side encryption configuration (an aws.s3.BucketServerSideEncryptionConfiguration for it).",
    enforcementLevel: "advisory",
  },
  bucketEncryptionViolations,
);

// ---------------------------------------------------------------------------------------------
// s3-bucket-tls-only

function deniesInsecureTransport(doc: unknown): boolean {
  if (isUnknown(doc)) return true;
  const statements = parsePolicy(doc) ?? [];
  return statements.some((s) => s.effect === "Deny" && hasBoolCondition(s, "aws:SecureTransport", false));
}

/** Buckets of the stack whose policy does not deny requests made without TLS. */
export function tlsOnlyViolations(stack: StackIndex): Violation[] {
  const out: Violation[] = [];
  for (const bucket of eventSourceBuckets(stack)) {
    if (deniesInsecureTransport(bucket.props.policy)) continue;
    const policies = stack.referrers(bucket, T.bucketPolicy, "bucket", BUCKET_TYPES);
    if (policies.some((p) => deniesInsecureTransport(p.props.policy))) continue;
    out.push({
      urn: bucket.urn,
      message:
        `${label(bucket)} has no bucket policy denying requests made without TLS. Add an aws.s3.BucketPolicy with a ` +
        `statement that denies s3:* on the bucket and its objects to every principal when "aws:SecureTransport" is "false".`,
    });
  }
  return out;
}

/** Checks whether every bucket's policy denies requests made without TLS. */
export const s3BucketTlsOnly = stackPolicy(
  {
    name: "s3-bucket-tls-only",
    description:
      'Checks whether every S3 bucket whose events the stack routes has a bucket policy that denies requests when "aws:SecureTransport" is "false".',
    enforcementLevel: "advisory",
  },
  tlsOnlyViolations,
);

// ---------------------------------------------------------------------------------------------
// sqs-queue-encrypted, sns-topic-encrypted

/** The message for a queue that is not encrypted at rest. */
export function queueEncryptionMessages(r: ResourceRecord): string[] {
  if (r.props.sqsManagedSseEnabled !== false || !isAbsent(r.props.kmsMasterKeyId)) return [];
  return [
    `${label(r)} is not encrypted at rest: sqsManagedSseEnabled is false and no kmsMasterKeyId is set. Remove ` +
      `sqsManagedSseEnabled: false (SSE-SQS is the default), or set kmsMasterKeyId to a customer-managed KMS key whose ` +
      `key policy lets the queue's producers use it.`,
  ];
}

/** Checks whether every SQS queue is encrypted at rest. */
export const sqsQueueEncrypted = resourcePolicy(
  {
    name: "sqs-queue-encrypted",
    description:
      "Checks whether every SQS queue is encrypted at rest: SSE-SQS (sqsManagedSseEnabled, the default) or a KMS key (kmsMasterKeyId).",
    enforcementLevel: "advisory",
  },
  aws.sqs.Queue,
  queueEncryptionMessages,
);

/** The message for a topic that is not encrypted at rest. */
export function topicEncryptionMessages(r: ResourceRecord): string[] {
  if (!isAbsent(r.props.kmsMasterKeyId)) return [];
  return [
    `${label(r)} is not encrypted at rest: no kmsMasterKeyId is set. Set kmsMasterKeyId to a customer-managed KMS key ` +
      `whose key policy lets its publishers use it (for S3: s3.amazonaws.com with kms:GenerateDataKey* and kms:Decrypt; ` +
      `not alias/aws/sns, which S3 cannot use).`,
  ];
}

/** Checks whether every SNS topic is encrypted at rest. */
export const snsTopicEncrypted = resourcePolicy(
  {
    name: "sns-topic-encrypted",
    description: "Checks whether every SNS topic is encrypted at rest with a KMS key (kmsMasterKeyId).",
    enforcementLevel: "advisory",
  },
  aws.sns.Topic,
  topicEncryptionMessages,
);

// ---------------------------------------------------------------------------------------------
// eventbridge-api-destination-https

/** The message for an API destination whose endpoint is not HTTPS. */
export function apiDestinationHttpsMessages(r: ResourceRecord): string[] {
  const endpoint = str(r.props.invocationEndpoint);
  if (endpoint === undefined || /^https:\/\//i.test(endpoint)) return [];
  return [
    `${label(r)}: invocationEndpoint "${endpoint}" is not an https:// URL. EventBridge API destinations are HTTPS ` +
      `endpoints, and the connection's credentials must not travel in clear text. Use the endpoint's https:// URL.`,
  ];
}

/** Checks whether every EventBridge API destination's endpoint is HTTPS. */
export const eventbridgeApiDestinationHttps = resourcePolicy(
  {
    name: "eventbridge-api-destination-https",
    description: "Checks whether every EventBridge API destination (webhook) invokes an https:// endpoint.",
    enforcementLevel: "mandatory",
  },
  aws.cloudwatch.EventApiDestination,
  apiDestinationHttpsMessages,
);

// ---------------------------------------------------------------------------------------------
// eventbridge-connection-secrets-secret

const PARAMETER_LISTS = ["bodies", "headers", "queryStrings"] as const;

/** The paths of an EventConnection's credentials that hold a value: API key, password, client secret, secret parameters. */
export function connectionCredentialPaths(props: Record<string, unknown>): string[] {
  const auth = obj(props.authParameters);
  if (!auth) return [];
  const out: string[] = [];
  const add = (path: string, value: unknown) => {
    if (typeof value === "string" && value !== "") out.push(path);
  };
  add("authParameters.apiKey.value", at(auth, "apiKey", "value"));
  add("authParameters.basic.password", at(auth, "basic", "password"));
  add(
    "authParameters.oauth.clientParameters.clientSecret",
    at(auth, "oauth", "clientParameters", "clientSecret"),
  );
  const parameterSets: [string, unknown][] = [
    ["authParameters.invocationHttpParameters", at(auth, "invocationHttpParameters")],
    ["authParameters.oauth.oauthHttpParameters", at(auth, "oauth", "oauthHttpParameters")],
  ];
  for (const [base, params] of parameterSets) {
    for (const kind of PARAMETER_LISTS) {
      list(at(params, kind)).forEach((p, i) => {
        if (at(p, "isValueSecret") === true) add(`${base}.${kind}[${i}].value`, at(p, "value"));
      });
    }
  }
  return out;
}

/** The messages for credentials of a connection that are not secret, given the secret input paths. */
export function plaintextCredentialMessages(r: ResourceRecord, secretPaths: readonly string[]): string[] {
  return connectionCredentialPaths(r.props)
    .filter((p) => !isSecretPath(p, secretPaths))
    .map(
      (p) =>
        `${label(r)}: ${p} is not a secret, so Pulumi stores it in plain text in the state (and it is probably in ` +
        `plain text in the program or the stack's config). Read it with config.requireSecret(...) or wrap it in pulumi.secret(...).`,
    );
}

/**
 * Marks the credentials of a connection secret, in place, on the props CrossGuard hands a
 * remediation (where secret values are `Secret` instances, seen through their property
 * descriptors). Returns the props when something changed, else undefined.
 */
export function markCredentialsSecret(props: Record<string, unknown>): Record<string, unknown> | undefined {
  let changed = false;
  const plainCopy: Record<string, unknown> = {};
  for (const k of Object.keys(props)) plainCopy[k] = unwrapSecrets(safeGet(props, k));
  for (const path of connectionCredentialPaths(plainCopy)) {
    const segments = pathSegments(path);
    let container: unknown = props;
    let secret = false;
    for (const seg of segments.slice(0, -1)) {
      if (Object.getOwnPropertyDescriptor(container as object, seg)?.value instanceof Secret) {
        secret = true;
        break;
      }
      container = safeGet(container, seg);
      if (container === null || typeof container !== "object") break;
    }
    if (secret || container === null || typeof container !== "object") continue;
    const last = segments[segments.length - 1];
    const current = Object.getOwnPropertyDescriptor(container, last)?.value;
    if (current instanceof Secret || typeof current !== "string") continue;
    (container as Record<string | number, unknown>)[last] = new Secret(current);
    changed = true;
  }
  return changed ? props : undefined;
}

function safeGet(container: unknown, key: string | number): unknown {
  try {
    return (container as Record<string | number, unknown>)[key];
  } catch {
    return undefined;
  }
}

function unwrapSecrets(v: unknown): unknown {
  if (v instanceof Secret) return unwrapSecrets(v.value);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) out.push(unwrapSecrets(safeGet(v, i)));
    return out;
  }
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = unwrapSecrets(safeGet(v, k));
    return out;
  }
  return v;
}

/**
 * Checks whether an EventBridge connection's credentials are Pulumi secrets.
 *
 * Under CrossGuard, @pulumi/policy hides secretness from validations, so the validation is
 * reported not applicable there and the remediation (enforcement level `remediate`) marks the
 * credentials secret instead; the offline checker, which records secretness, reports them.
 */
export const eventbridgeConnectionSecretsSecret: ResourceValidationPolicy = {
  name: "eventbridge-connection-secrets-secret",
  description:
    "Checks whether the credentials of an aws.cloudwatch.EventConnection (API key value, basic password, OAuth client secret, parameters with isValueSecret) are Pulumi secrets rather than plain text.",
  enforcementLevel: "remediate",
  validateResource: validateResourceOfType(aws.cloudwatch.EventConnection, (_c, args, reportViolation) => {
    const paths = secretInputPaths(args);
    if (paths === undefined) {
      return args.notApplicable(
        "@pulumi/policy does not tell validations which inputs are secret; the remediation marks the credentials secret, and `npm run check` reports them",
      );
    }
    for (const m of plaintextCredentialMessages(recordOfArgs(args), paths)) reportViolation(m);
  }),
  remediateResource: remediateResourceOfType(aws.cloudwatch.EventConnection, (_c, args) =>
    markCredentialsSecret(args.props),
  ),
};
