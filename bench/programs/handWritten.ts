/**
 * The baseline: the same routes declared directly with @pulumi/aws, the way a careful engineer
 * would write them — per bucket one `aws.s3.Bucket` with a public access block, default
 * encryption and a TLS-only bucket policy, and one `BucketNotification`; per route one function
 * (role + function), queue or topic, with a Lambda permission, queue policy or topic policy
 * scoped by the bucket's ARN and the account. No dead-letter queues, log groups or alarms.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BENCH_CODE, bucketNames, routesOf, Shape } from "./shape";

const ASSUME_LAMBDA = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** A policy statement that lets `service` call `action` on `resource` for one bucket of this account. */
function fromBucket(service: string, action: string, resource: string, bucketArn: string, account: string) {
  return {
    Effect: "Allow",
    Principal: { Service: service },
    Action: action,
    Resource: resource,
    Condition: { ArnLike: { "aws:SourceArn": bucketArn }, StringEquals: { "aws:SourceAccount": account } },
  };
}

/**
 * The program: declares every bucket and route of `shape`.
 *
 * @param named  give every bucket a physical name (`bench-<bucket>`) instead of an auto-name.
 */
export function handWritten(shape: Shape, named = false): () => void {
  return () => {
    const accountId = aws.getCallerIdentityOutput({}).accountId;
    for (const b of bucketNames(shape)) {
      const bucket = new aws.s3.Bucket(b, { bucket: named ? `bench-${b}` : undefined, forceDestroy: false });
      const publicAccess = new aws.s3.BucketPublicAccessBlock(`${b}-public-access`, {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      new aws.s3.BucketServerSideEncryptionConfiguration(`${b}-encryption`, {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      });
      new aws.s3.BucketPolicy(
        `${b}-policy`,
        {
          bucket: bucket.id,
          policy: bucket.arn.apply((arn) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Sid: "DenyInsecureTransport",
                  Effect: "Deny",
                  Principal: "*",
                  Action: "s3:*",
                  Resource: [arn, `${arn}/*`],
                  Condition: { Bool: { "aws:SecureTransport": false } },
                },
              ],
            }),
          ),
        },
        { dependsOn: [publicAccess] },
      );
      const lambdaFunctions: aws.types.input.s3.BucketNotificationLambdaFunction[] = [];
      const queues: aws.types.input.s3.BucketNotificationQueue[] = [];
      const topics: aws.types.input.s3.BucketNotificationTopic[] = [];
      const dependsOn: pulumi.Resource[] = [];
      for (const route of routesOf(shape)) {
        const name = `${b}-${route.name}`;
        const entry = { id: route.name, events: ["s3:ObjectCreated:*"], filterPrefix: route.prefix };
        if (route.kind === "lambda") {
          const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: ASSUME_LAMBDA });
          const fn = new aws.lambda.Function(name, {
            role: role.arn,
            code: BENCH_CODE,
            handler: "index.handler",
            runtime: "nodejs22.x",
          });
          const permission = new aws.lambda.Permission(`${name}-from-bucket`, {
            action: "lambda:InvokeFunction",
            function: fn.name,
            principal: "s3.amazonaws.com",
            sourceArn: bucket.arn,
            sourceAccount: accountId,
          });
          lambdaFunctions.push({ ...entry, lambdaFunctionArn: fn.arn });
          dependsOn.push(permission);
        } else if (route.kind === "sqs") {
          const queue = new aws.sqs.Queue(name, { sqsManagedSseEnabled: true });
          const policy = new aws.sqs.QueuePolicy(`${name}-policy`, {
            queueUrl: queue.url,
            policy: pulumi.all([queue.arn, bucket.arn, accountId]).apply(([arn, bucketArn, account]) =>
              JSON.stringify({
                Version: "2012-10-17",
                Statement: [fromBucket("s3.amazonaws.com", "sqs:SendMessage", arn, bucketArn, account)],
              }),
            ),
          });
          queues.push({ ...entry, queueArn: queue.arn });
          dependsOn.push(policy);
        } else {
          const topic = new aws.sns.Topic(name, {});
          const policy = new aws.sns.TopicPolicy(`${name}-policy`, {
            arn: topic.arn,
            policy: pulumi.all([topic.arn, bucket.arn, accountId]).apply(([arn, bucketArn, account]) =>
              JSON.stringify({
                Version: "2012-10-17",
                Statement: [fromBucket("s3.amazonaws.com", "sns:Publish", arn, bucketArn, account)],
              }),
            ),
          });
          topics.push({ ...entry, topicArn: topic.arn });
          dependsOn.push(policy);
        }
      }
      new aws.s3.BucketNotification(
        `${b}-notification`,
        { bucket: bucket.id, lambdaFunctions, queues, topics },
        { dependsOn },
      );
    }
  };
}
