/** SQS queues: visibility timeout, redrive policy, and the function an event source mapping feeds. */
import { arnOf, num, Recorded, str } from "./recorded";

/** An SQS queue. */
export interface LocalQueue {
  /** The logical name. */
  name: string;
  /** The queue's name in AWS. */
  queueName: string;
  /** Its ARN. */
  arn: string;
  /** Visibility timeout, seconds. */
  visibilityTimeoutSeconds: number;
  /** Its redrive policy. */
  redrive?: { deadLetterArn: string; maxReceiveCount: number };
  /** The function an event source mapping feeds from it. */
  consumer?: {
    functionName: string;
    batchSize: number;
    windowSeconds: number;
    reportBatchItemFailures: boolean;
  };
}

/** Every queue, with its redrive policy and its enabled event source mapping. */
export function readQueues(recorded: Recorded): LocalQueue[] {
  const mappings = recorded.of("aws:lambda/eventSourceMapping:EventSourceMapping");
  return recorded.of("aws:sqs/queue:Queue").map((q) => {
    const arn = arnOf(q);
    const queue: LocalQueue = {
      name: q.name,
      queueName: str(q.state.name) ?? q.name,
      arn,
      visibilityTimeoutSeconds: num(q.inputs.visibilityTimeoutSeconds, 30),
    };
    const redrive = str(q.inputs.redrivePolicy);
    if (redrive) {
      const parsed = JSON.parse(redrive) as { deadLetterTargetArn?: string; maxReceiveCount?: number };
      if (parsed.deadLetterTargetArn) {
        queue.redrive = {
          deadLetterArn: parsed.deadLetterTargetArn,
          maxReceiveCount: parsed.maxReceiveCount ?? 10,
        };
      }
    }
    const mapping = mappings.find((m) => m.inputs.eventSourceArn === arn && m.inputs.enabled !== false);
    if (mapping) {
      const types = mapping.inputs.functionResponseTypes;
      queue.consumer = {
        functionName: str(mapping.inputs.functionName) ?? "",
        batchSize: num(mapping.inputs.batchSize, 10),
        windowSeconds: num(mapping.inputs.maximumBatchingWindowInSeconds, 0),
        reportBatchItemFailures: Array.isArray(types) && types.includes("ReportBatchItemFailures"),
      };
    }
    return queue;
  });
}
