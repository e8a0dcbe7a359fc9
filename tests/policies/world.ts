/**
 * A small, correct S3 routing stack as records, for the engine-free policy tests: a bucket whose
 * one notification invokes a function, feeds a queue (consumed by another function) and publishes
 * to a topic, each destination reachable and depended on. Every call builds fresh records, so a
 * test may change one thing.
 */
import type { RecordedResource } from "../../components/testing/mockEngine";
import { T } from "../../policies/types";
import { ACCOUNT, ARN, res } from "./harness";

/** A policy document granting `action` on `resource` to S3 acting for bucket `bucketArn` in the test account. */
export function s3Grant(
  action: string | string[],
  resource: string,
  bucketArn: string,
  extra: object = {},
): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "S3",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: action,
        Resource: resource,
        Condition: {
          ArnLike: { "aws:SourceArn": bucketArn },
          StringEquals: { "aws:SourceAccount": ACCOUNT },
        },
        ...extra,
      },
    ],
  };
}

/** The records of the world, by role. */
export interface World {
  bucket: RecordedResource;
  pab: RecordedResource;
  sse: RecordedResource;
  bucketPolicy: RecordedResource;
  role: RecordedResource;
  fn: RecordedResource;
  permission: RecordedResource;
  invokeConfig: RecordedResource;
  failures: RecordedResource;
  key: RecordedResource;
  dlq: RecordedResource;
  queue: RecordedResource;
  queuePolicy: RecordedResource;
  topic: RecordedResource;
  topicPolicy: RecordedResource;
  worker: RecordedResource;
  mapping: RecordedResource;
  notification: RecordedResource;
  /** Every record, in registration order. */
  all(): RecordedResource[];
}

/** Builds the world. */
export function world(): World {
  const bucketArn = ARN.bucket("photos-b");
  const bucket = res(
    T.bucket,
    "photos",
    {},
    { outputs: { bucket: "photos-b", arn: bucketArn, region: "us-east-1" } },
  );
  const pab = res(
    T.bucketPublicAccessBlock,
    "photos-pab",
    {
      bucket: "photos-b",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    { propertyDependencies: { bucket: [bucket] } },
  );
  const sse = res(
    T.bucketSse,
    "photos-sse",
    { bucket: "photos-b", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    { propertyDependencies: { bucket: [bucket] } },
  );
  const bucketPolicy = res(
    T.bucketPolicy,
    "photos-tls",
    {
      bucket: "photos-b",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    },
    { propertyDependencies: { bucket: [bucket], policy: [bucket] } },
  );
  const role = res(
    T.role,
    "thumbnailer-role",
    { assumeRolePolicy: "{}" },
    { outputs: { name: "thumbnailer-role-r", arn: ARN.role("thumbnailer-role-r") } },
  );
  const fn = res(
    T.function,
    "thumbnailer",
    {
      role: ARN.role("thumbnailer-role-r"),
      timeout: 30,
      environment: { variables: { DEST_BUCKET: "thumbs-b", DEST_PREFIX: "thumbs/" } },
    },
    {
      propertyDependencies: { role: [role] },
      outputs: { name: "thumbnailer-f", arn: ARN.fn("thumbnailer-f") },
    },
  );
  const permission = res(
    T.permission,
    "thumbnailer-s3",
    {
      action: "lambda:InvokeFunction",
      function: "thumbnailer-f",
      principal: "s3.amazonaws.com",
      sourceArn: bucketArn,
      sourceAccount: ACCOUNT,
    },
    { propertyDependencies: { function: [fn], sourceArn: [bucket] } },
  );
  const failures = res(
    T.queue,
    "thumbnailer-failures",
    {},
    { outputs: { name: "failures-q", arn: ARN.queue("failures-q"), url: ARN.queueUrl("failures-q") } },
  );
  const invokeConfig = res(
    T.functionEventInvokeConfig,
    "thumbnailer-failures-config",
    {
      functionName: "thumbnailer-f",
      destinationConfig: { onFailure: { destination: ARN.queue("failures-q") } },
    },
    { propertyDependencies: { functionName: [fn], destinationConfig: [failures] } },
  );
  const key = res(
    T.kmsKey,
    "events-key",
    {
      policy: JSON.stringify(s3Grant(["kms:GenerateDataKey*", "kms:Decrypt"], "*", bucketArn)),
    },
    { outputs: { keyId: "key-1", arn: ARN.key("key-1") } },
  );
  const dlq = res(
    T.queue,
    "jobs-dlq",
    {},
    { outputs: { name: "jobs-dlq-q", arn: ARN.queue("jobs-dlq-q"), url: ARN.queueUrl("jobs-dlq-q") } },
  );
  const queue = res(
    T.queue,
    "jobs",
    {
      kmsMasterKeyId: ARN.key("key-1"),
      visibilityTimeoutSeconds: 180,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: ARN.queue("jobs-dlq-q"), maxReceiveCount: 5 }),
    },
    {
      propertyDependencies: { kmsMasterKeyId: [key], redrivePolicy: [dlq] },
      outputs: { name: "jobs-q", arn: ARN.queue("jobs-q"), url: ARN.queueUrl("jobs-q") },
    },
  );
  const queuePolicy = res(
    T.queuePolicy,
    "jobs-s3",
    {
      queueUrl: ARN.queueUrl("jobs-q"),
      policy: JSON.stringify(s3Grant("sqs:SendMessage", ARN.queue("jobs-q"), bucketArn)),
    },
    { propertyDependencies: { queueUrl: [queue], policy: [queue, bucket] } },
  );
  const topic = res(
    T.topic,
    "audit",
    { kmsMasterKeyId: ARN.key("key-1") },
    {
      propertyDependencies: { kmsMasterKeyId: [key] },
      outputs: { name: "audit-t", arn: ARN.topic("audit-t") },
    },
  );
  const topicPolicy = res(
    T.topicPolicy,
    "audit-s3",
    {
      arn: ARN.topic("audit-t"),
      policy: JSON.stringify(s3Grant("sns:Publish", ARN.topic("audit-t"), bucketArn)),
    },
    { propertyDependencies: { arn: [topic], policy: [topic, bucket] } },
  );
  const workerRole = res(
    T.role,
    "worker-role",
    { assumeRolePolicy: "{}" },
    { outputs: { name: "worker-role-r", arn: ARN.role("worker-role-r") } },
  );
  const worker = res(
    T.function,
    "worker",
    { role: ARN.role("worker-role-r"), timeout: 30 },
    { propertyDependencies: { role: [workerRole] }, outputs: { name: "worker-f", arn: ARN.fn("worker-f") } },
  );
  const mapping = res(
    T.eventSourceMapping,
    "worker-jobs",
    {
      eventSourceArn: ARN.queue("jobs-q"),
      functionName: "worker-f",
      functionResponseTypes: ["ReportBatchItemFailures"],
    },
    { propertyDependencies: { eventSourceArn: [queue], functionName: [worker] } },
  );
  const notification = res(
    T.bucketNotification,
    "photos-notification",
    {
      bucket: "photos-b",
      lambdaFunctions: [
        {
          id: "thumbs",
          lambdaFunctionArn: ARN.fn("thumbnailer-f"),
          events: ["s3:ObjectCreated:*"],
          filterPrefix: "raw+photos/",
        },
      ],
      queues: [{ id: "jobs", queueArn: ARN.queue("jobs-q"), events: ["s3:ObjectRemoved:*"] }],
      topics: [
        {
          id: "audit",
          topicArn: ARN.topic("audit-t"),
          events: ["s3:ObjectCreated:*"],
          filterPrefix: "audit/",
        },
      ],
    },
    {
      dependsOn: [permission, queuePolicy, topicPolicy],
      propertyDependencies: { bucket: [bucket], lambdaFunctions: [fn], queues: [queue], topics: [topic] },
    },
  );
  const w = {
    bucket,
    pab,
    sse,
    bucketPolicy,
    role,
    fn,
    permission,
    invokeConfig,
    failures,
    key,
    dlq,
    queue,
    queuePolicy,
    topic,
    topicPolicy,
    worker,
    mapping,
    notification,
  };
  const extra = [workerRole];
  return {
    ...w,
    all() {
      return [
        w.bucket,
        w.pab,
        w.sse,
        w.bucketPolicy,
        w.role,
        w.fn,
        w.permission,
        w.failures,
        w.invokeConfig,
        w.key,
        w.dlq,
        w.queue,
        w.queuePolicy,
        w.topic,
        w.topicPolicy,
        ...extra,
        w.worker,
        w.mapping,
        w.notification,
      ];
    },
  };
}
