import { strict as assert } from "node:assert";
import {
  eventbridgeTargetDeadLetterQueue,
  eventbridgeTargetRetryPolicy,
  s3DestinationKmsKeyUsable,
  s3LambdaTargetOnFailureDestination,
  sqsEventSourceReportsBatchFailures,
  sqsQueueDeadLetterQueue,
  sqsQueueMaxReceiveCount,
  sqsVisibilityTimeoutCoversConsumer,
} from "../../policies/lostMessages";
import { T } from "../../policies/types";
import { ARN, blamed, messages, res, set, title } from "./harness";
import { s3Grant, world } from "./world";

describe(title(s3DestinationKmsKeyUsable), () => {
  const policy = s3DestinationKmsKeyUsable;
  const DROPS = `S3 cannot encrypt its messages and drops them without an error.`;

  it("passes destinations under a key S3 may use, or no key at all", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
    const w = world();
    set(w.queue, "kmsMasterKeyId", undefined);
    set(w.queue, "sqsManagedSseEnabled", true);
    assert.deepEqual(await messages(policy, w.all()), []);
  });

  it("flags a queue under the AWS-managed key", async () => {
    const w = world();
    set(w.queue, "kmsMasterKeyId", "alias/aws/sqs");
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.sqs.Queue "jobs" (a destination of aws.s3.BucketNotification "photos-notification") is encrypted with the ` +
        `AWS-managed key "alias/aws/sqs", whose key policy cannot be changed to let s3.amazonaws.com use it: ${DROPS} ` +
        `Use a customer-managed aws.kms.Key whose key policy lets s3.amazonaws.com call kms:GenerateDataKey* and ` +
        `kms:Decrypt, or SSE-SQS (sqsManagedSseEnabled) instead of KMS.`,
    ]);
  });

  it("flags a topic under an AWS-managed key given by ARN", async () => {
    const w = world();
    set(w.topic, "kmsMasterKeyId", "arn:aws:kms:us-east-1:123456789012:alias/aws/sns");
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.sns.Topic "audit" (a destination of aws.s3.BucketNotification "photos-notification") is encrypted with the ` +
        `AWS-managed key "arn:aws:kms:us-east-1:123456789012:alias/aws/sns", whose key policy cannot be changed to let ` +
        `s3.amazonaws.com use it: ${DROPS} Use a customer-managed aws.kms.Key whose key policy lets s3.amazonaws.com ` +
        `call kms:GenerateDataKey* and kms:Decrypt.`,
    ]);
  });

  it("flags a customer-managed key whose policy omits kms:Decrypt for S3, reached through an alias", async () => {
    const w = world();
    set(w.key, "policy", JSON.stringify(s3Grant("kms:GenerateDataKey*", "*", ARN.bucket("photos-b"))));
    const alias = res(
      T.kmsAlias,
      "events-key-alias",
      { name: "alias/events", targetKeyId: "key-1" },
      { propertyDependencies: { targetKeyId: [w.key] } },
    );
    set(w.queue, "kmsMasterKeyId", "alias/events");
    w.queue.propertyDependencies.kmsMasterKeyId = [alias.urn];
    set(w.topic, "kmsMasterKeyId", undefined);
    assert.deepEqual(await messages(policy, [...w.all(), alias]), [
      `aws.sqs.Queue "jobs" (a destination of aws.s3.BucketNotification "photos-notification") is encrypted with ` +
        `aws.kms.Key "events-key", whose key policy does not let s3.amazonaws.com call kms:Decrypt: ${DROPS} Add a key ` +
        `policy statement allowing the s3.amazonaws.com service principal kms:GenerateDataKey* and kms:Decrypt (with ` +
        `aws:SourceArn and aws:SourceAccount conditions).`,
    ]);
  });

  it("flags a key left on the default key policy, and reads a separate aws.kms.KeyPolicy", async () => {
    const w = world();
    set(w.key, "policy", undefined);
    set(w.topic, "kmsMasterKeyId", undefined);
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.sqs.Queue "jobs" (a destination of aws.s3.BucketNotification "photos-notification") is encrypted with ` +
        `aws.kms.Key "events-key", whose key policy does not let s3.amazonaws.com call kms:GenerateDataKey* or ` +
        `kms:Decrypt: ${DROPS} Add a key policy statement allowing the s3.amazonaws.com service principal ` +
        `kms:GenerateDataKey* and kms:Decrypt (with aws:SourceArn and aws:SourceAccount conditions).`,
    ]);
    const keyPolicy = res(
      T.kmsKeyPolicy,
      "events-key-policy",
      { keyId: "key-1", policy: JSON.stringify(s3Grant(["kms:GenerateDataKey*", "kms:Decrypt"], "*", "*")) },
      { propertyDependencies: { keyId: [w.key] } },
    );
    assert.deepEqual(await messages(policy, [...w.all(), keyPolicy]), []);
  });

  it("says nothing of a key outside the stack", async () => {
    const w = world();
    set(w.queue, "kmsMasterKeyId", "arn:aws:kms:us-east-1:123456789012:key/elsewhere");
    w.queue.propertyDependencies.kmsMasterKeyId = [];
    assert.deepEqual(await messages(policy, w.all()), []);
  });
});

describe(title(sqsQueueDeadLetterQueue), () => {
  const policy = sqsQueueDeadLetterQueue;
  const NO_DLQ = (why: string) =>
    `aws.sqs.Queue "jobs" ${why} but has no dead-letter queue: a message its consumer keeps failing on is received ` +
    `again and again until the retention period ends, then deleted. Set redrivePolicy (deadLetterTargetArn a second ` +
    `queue, maxReceiveCount at least 5) or add an aws.sqs.RedrivePolicy for it.`;

  it("passes queues with a dead-letter queue, and does not ask one of the dead-letter queue itself", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags a notified queue without a redrive policy", async () => {
    const w = world();
    set(w.queue, "redrivePolicy", undefined);
    assert.deepEqual(await messages(policy, w.all()), [
      NO_DLQ(`receives S3 events from aws.s3.BucketNotification "photos-notification"`),
    ]);
  });

  it("flags a consumed queue without one, and accepts aws.sqs.RedrivePolicy", async () => {
    const w = world();
    set(w.queue, "redrivePolicy", undefined);
    set(w.notification, "queues", []);
    assert.deepEqual(await messages(policy, w.all()), [
      NO_DLQ(`is consumed by aws.lambda.EventSourceMapping "worker-jobs"`),
    ]);
    const redrive = res(
      T.redrivePolicy,
      "jobs-redrive",
      {
        queueUrl: ARN.queueUrl("jobs-q"),
        redrivePolicy: JSON.stringify({ deadLetterTargetArn: ARN.queue("jobs-dlq-q"), maxReceiveCount: 10 }),
      },
      { propertyDependencies: { queueUrl: [w.queue], redrivePolicy: [w.dlq] } },
    );
    assert.deepEqual(await messages(policy, [...w.all(), redrive]), []);
  });

  it("leaves a low maxReceiveCount to sqs-queue-max-receive-count: the messages are parked, not lost", async () => {
    const w = world();
    set(
      w.queue,
      "redrivePolicy",
      JSON.stringify({ deadLetterTargetArn: ARN.queue("jobs-dlq-q"), maxReceiveCount: 2 }),
    );
    assert.deepEqual(await messages(policy, w.all()), []);
  });
});

describe(title(sqsQueueMaxReceiveCount), () => {
  const policy = sqsQueueMaxReceiveCount;
  const LOW = (count: number, min: number) =>
    `aws.sqs.Queue "jobs" receives S3 events from aws.s3.BucketNotification "photos-notification" and moves messages ` +
    `to its dead-letter queue after maxReceiveCount ${count}, below ${min}: throttled or briefly failing receives park ` +
    `events in the dead-letter queue unprocessed, to be redriven by hand. Set maxReceiveCount to at least ${min}.`;

  it("passes the world's queue (maxReceiveCount 5) and a queue without a dead-letter queue (the other policy's)", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
    const w = world();
    set(w.queue, "redrivePolicy", undefined);
    assert.deepEqual(await messages(policy, w.all()), []);
  });

  it("flags a maxReceiveCount under the minimum, configurable", async () => {
    const w = world();
    set(
      w.queue,
      "redrivePolicy",
      JSON.stringify({ deadLetterTargetArn: ARN.queue("jobs-dlq-q"), maxReceiveCount: 2 }),
    );
    assert.deepEqual(await messages(policy, w.all()), [LOW(2, 5)]);
    const five = world();
    assert.deepEqual(
      await messages(policy, five.all(), { "sqs-queue-max-receive-count": { minimumMaxReceiveCount: 8 } }),
      [LOW(5, 8)],
    );
  });
});

describe(title(sqsVisibilityTimeoutCoversConsumer), () => {
  const policy = sqsVisibilityTimeoutCoversConsumer;
  const message = (
    visibility: number,
    multiple: number,
    timeout: number,
    needed: number,
    rejected: boolean,
  ) =>
    `aws.sqs.Queue "jobs" has a visibility timeout of ${visibility} s, under ${multiple} × the ${timeout} s timeout of ` +
    `aws.lambda.Function "worker", which consumes it through aws.lambda.EventSourceMapping "worker-jobs": messages ` +
    `reappear while still being processed, so they are handled twice or reach the dead-letter queue unprocessed` +
    (rejected ? ` (and AWS rejects the event source mapping, as the timeout is below the function's)` : ``) +
    `. Set visibilityTimeoutSeconds to at least ${needed}.`;

  it("passes a visibility timeout of 6 × the function's timeout", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags a shorter one", async () => {
    const w = world();
    set(w.queue, "visibilityTimeoutSeconds", 179);
    assert.deepEqual(await messages(policy, w.all()), [message(179, 6, 30, 180, false)]);
    assert.deepEqual(await blamed(policy, w.all()), ["jobs"]);
  });

  it("uses the defaults (30 s visibility, 3 s function timeout) and the configured multiple", async () => {
    const w = world();
    set(w.queue, "visibilityTimeoutSeconds", undefined);
    set(w.worker, "timeout", 60);
    assert.deepEqual(
      await messages(policy, w.all(), {
        "sqs-visibility-timeout-covers-consumer": { visibilityTimeoutMultiple: 2 },
      }),
      [message(30, 2, 60, 120, true)],
    );
    set(w.worker, "timeout", undefined);
    assert.deepEqual(await messages(policy, w.all()), []);
  });
});

describe(title(sqsEventSourceReportsBatchFailures), () => {
  const policy = sqsEventSourceReportsBatchFailures;

  it("passes an SQS mapping that reports batch item failures, and mappings of other sources", async () => {
    const w = world();
    const stream = res(T.eventSourceMapping, "stream", {
      eventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s",
      functionName: "worker-f",
    });
    assert.deepEqual(await messages(policy, [...w.all(), stream]), []);
  });

  it("flags an SQS mapping without it", async () => {
    const w = world();
    set(w.mapping, "functionResponseTypes", undefined);
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.lambda.EventSourceMapping "worker-jobs" reads SQS queue "arn:aws:sqs:us-east-1:123456789012:jobs-q" without ` +
        `functionResponseTypes ["ReportBatchItemFailures"]: one failed message fails the whole batch, so the messages ` +
        `that succeeded are processed again and can reach the dead-letter queue with it. Set functionResponseTypes: ` +
        `["ReportBatchItemFailures"] and return batchItemFailures from the handler.`,
    ]);
  });
});

describe(title(eventbridgeTargetDeadLetterQueue), () => {
  const policy = eventbridgeTargetDeadLetterQueue;
  const target = (extra: Record<string, unknown>) =>
    res(T.eventTarget, "webhook", {
      rule: "r",
      arn: "arn:aws:events:us-east-1:123456789012:api-destination/d/x",
      ...extra,
    });

  it("passes a target with a dead-letter queue", async () => {
    assert.deepEqual(await messages(policy, [target({ deadLetterConfig: { arn: ARN.queue("dlq") } })]), []);
  });

  it("flags a target without one", async () => {
    assert.deepEqual(await messages(policy, [target({ deadLetterConfig: {} })]), [
      `aws.cloudwatch.EventTarget "webhook" has no deadLetterConfig: once EventBridge stops retrying (by default after ` +
        `24 hours and 185 attempts), the event is dropped. Set deadLetterConfig.arn to an SQS queue whose policy lets ` +
        `events.amazonaws.com send to it.`,
    ]);
  });
});

describe(title(eventbridgeTargetRetryPolicy), () => {
  const policy = eventbridgeTargetRetryPolicy;
  const target = (extra: Record<string, unknown>) =>
    res(T.eventTarget, "webhook", { rule: "r", arn: "arn:x", ...extra });

  it("passes a target with an explicit retry policy", async () => {
    assert.deepEqual(await messages(policy, [target({ retryPolicy: { maximumRetryAttempts: 3 } })]), []);
  });

  it("flags a target left on the defaults", async () => {
    assert.deepEqual(await messages(policy, [target({})]), [
      `aws.cloudwatch.EventTarget "webhook" has no retryPolicy, so EventBridge applies its default (24 hours, 185 ` +
        `attempts), which may be far longer than the target can use the event. Set retryPolicy ` +
        `(maximumEventAgeInSeconds and maximumRetryAttempts) to what the target can take.`,
    ]);
  });
});

describe(title(s3LambdaTargetOnFailureDestination), () => {
  const policy = s3LambdaTargetOnFailureDestination;
  const MESSAGE =
    `aws.lambda.Function "thumbnailer" is invoked asynchronously by aws.s3.BucketNotification "photos-notification" but ` +
    `has no on-failure destination: after Lambda's two retries (or up to 6 hours of throttling) the event is ` +
    `discarded. Add an aws.lambda.FunctionEventInvokeConfig for the function with destinationConfig.onFailure.destination ` +
    `(an SQS queue, SNS topic, bucket or function).`;

  it("passes a function with an on-failure destination", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags a function without one, and one whose invoke config sets only onSuccess", async () => {
    const w = world();
    assert.deepEqual(
      await messages(
        policy,
        w.all().filter((r) => r !== w.invokeConfig),
      ),
      [MESSAGE],
    );
    set(w.invokeConfig, "destinationConfig", { onSuccess: { destination: ARN.queue("failures-q") } });
    assert.deepEqual(await messages(policy, w.all()), [MESSAGE]);
  });

  it("accepts the function's own dead-letter queue", async () => {
    const w = world();
    set(w.fn, "deadLetterConfig", { targetArn: ARN.queue("failures-q") });
    assert.deepEqual(
      await messages(
        policy,
        w.all().filter((r) => r !== w.invokeConfig),
      ),
      [],
    );
  });
});
