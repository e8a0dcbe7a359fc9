/**
 * The resource type tokens the policies read. Resource policies filter with
 * `validateResourceOfType(aws.x.Y, ...)`; stack policies, which span several types, filter on these.
 */
export const T = {
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  bucketNotification: "aws:s3/bucketNotification:BucketNotification",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketSse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketSseV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  redrivePolicy: "aws:sqs/redrivePolicy:RedrivePolicy",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  function: "aws:lambda/function:Function",
  permission: "aws:lambda/permission:Permission",
  eventSourceMapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  functionEventInvokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  kmsKey: "aws:kms/key:Key",
  kmsKeyPolicy: "aws:kms/keyPolicy:KeyPolicy",
  kmsAlias: "aws:kms/alias:Alias",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  iamPolicy: "aws:iam/policy:Policy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  eventApiDestination: "aws:cloudwatch/eventApiDestination:EventApiDestination",
  eventConnection: "aws:cloudwatch/eventConnection:EventConnection",
} as const;

/** Both bucket resources of @pulumi/aws 7 (`BucketV2` is the deprecated alias of `Bucket`). */
export const BUCKET_TYPES: readonly string[] = [T.bucket, T.bucketV2];

/** Both server-side encryption configuration resources. */
export const BUCKET_SSE_TYPES: readonly string[] = [T.bucketSse, T.bucketSseV2];
