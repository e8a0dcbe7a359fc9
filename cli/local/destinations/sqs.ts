/**
 * SQS, locally: messages sent to the stack's queues, consumed through their event source mappings
 * (batches, `batchItemFailures`), redelivered after the (shortened) visibility timeout and moved to
 * the dead-letter queue after `maxReceiveCount` receives (the mechanics are in ../queues.ts).
 */
import type { QueueMessage } from "../envelopes";
import { LocalFunctions } from "../functions";
import { LocalQueues } from "../queues";
import { short } from "../report";
import type { LocalQueue } from "../topology";
import type { PendingWork } from "../work";
import type { Delivery, Destination, Destinations, LoopContext } from "./delivery";

/** The stack's queues as a destination. */
export class SqsDestination implements Destination {
  /** The queues' messages. */
  readonly queues: LocalQueues;
  private readonly expectedFailures = new Set<string>();

  /**
   * @param ctx - what the loop prints and records through.
   * @param to - the other destinations.
   * @param work - the loop's pending work (a waiting message is pending).
   * @param redeliveryMs - how long a failed message stays invisible (AWS: the visibility timeout).
   */
  constructor(
    private readonly ctx: LoopContext,
    private readonly to: Destinations,
    work: PendingWork,
    private readonly redeliveryMs: number,
  ) {
    this.queues = new LocalQueues(
      ctx.topology.queues,
      {
        consume: (queue, event, batch) => this.consume(queue, event, batch),
        stored: (queue, message, from) => this.stored(queue, message, from),
        deadLettered: (queue, message, target) => this.deadLettered(queue, message, target),
        redelivering: (queue, message) =>
          ctx.say(
            message.origin,
            `  queue "${queue.name}": message ${message.messageId} failed on receive ${message.receiveCount}` +
              (queue.redrive ? ` of ${queue.redrive.maxReceiveCount}` : "") +
              `; visible again in ${this.redeliveryMs} ms (AWS: after the ${queue.visibilityTimeoutSeconds} s visibility timeout)`,
          ),
      },
      work,
      redeliveryMs,
    );
  }

  has(arn: string): boolean {
    return this.find(arn) !== undefined;
  }

  /** The message as the body of a message sent to the queue. */
  async deliver(arn: string, { tag, via, shape, body }: Delivery): Promise<string> {
    const queue = this.find(arn)!;
    this.ctx.say(tag, `  ${via} → sqs "${queue.name}" (${shape}, as the message body)`);
    return this.send(queue, body, tag).messageId;
  }

  /** A queue by ARN. */
  find(arn: string): LocalQueue | undefined {
    return this.queues.find(arn);
  }

  /** A queue by URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`). */
  findByUrl(url: string): LocalQueue | undefined {
    return this.ctx.topology.queues.find((q) => q.queueName === url.split("/").pop());
  }

  /**
   * Sends a message (as `aws sqs send-message` would).
   *
   * @param queue - the queue.
   * @param body - the body.
   * @param tag - the tag its lines carry.
   */
  send(queue: LocalQueue, body: string, tag?: string): QueueMessage {
    return this.queues.send(queue, body, tag);
  }

  /** Marks a message id as expected to end in the dead-letter queue (the demo's poison message). */
  expectFailure(messageId: string): void {
    this.expectedFailures.add(messageId);
  }

  private async consume(
    queue: LocalQueue,
    event: { Records: Record<string, unknown>[] },
    batch: QueueMessage[],
  ): Promise<{ failed: string[] }> {
    const consumer = queue.consumer!;
    const fn = this.ctx.functions.find(consumer.functionName);
    const tags = [...new Set(batch.map((m) => m.origin ?? "?"))];
    const tag = tags.join(",");
    if (!fn) {
      this.ctx.fail(tag, `queue "${queue.name}": its consumer ${consumer.functionName} is not in the stack`);
      throw new Error("no consumer");
    }
    this.ctx.say(
      tag,
      `  queue "${queue.name}" → ${LocalFunctions.label(fn)} (event source mapping: SQS event, batch of ${batch.length}, ` +
        `receive ${batch.map((m) => m.receiveCount).join(",")})`,
    );
    const attempt = Math.max(...batch.map((m) => m.receiveCount));
    const result = await this.to.lambda.invoke(tag, fn, event, `queue "${queue.name}"`, attempt);
    if (!consumer.reportBatchItemFailures) return { failed: [] };
    const reported = (
      (result as { batchItemFailures?: { itemIdentifier?: unknown }[] } | undefined)?.batchItemFailures ?? []
    ).map((f) => f.itemIdentifier);
    const ids = new Set(batch.map((m) => m.messageId));
    if (reported.some((id) => typeof id !== "string" || !ids.has(id))) {
      this.ctx.say(
        tag,
        `  queue "${queue.name}": batchItemFailures names a message not in the batch: the whole batch failed`,
      );
      return { failed: [...ids] };
    }
    return { failed: reported as string[] };
  }

  private stored(queue: LocalQueue, message: QueueMessage, from?: LocalQueue): void {
    this.ctx.say(
      message.origin,
      `  queue "${queue.name}" holds message ${message.messageId}${from ? ` (dead-lettered from "${from.name}")` : ""}: ` +
        short(message.body.replace(/\s+/g, " "), 100),
    );
  }

  private deadLettered(queue: LocalQueue, message: QueueMessage, target: LocalQueue | undefined): void {
    const tag = message.origin;
    const text =
      `queue "${queue.name}": message ${message.messageId} received ${message.receiveCount} times ` +
      `(maxReceiveCount ${queue.redrive?.maxReceiveCount}) → moved to ${target ? `"${target.name}"` : queue.redrive?.deadLetterArn}`;
    if (this.expectedFailures.has(message.messageId)) this.ctx.say(tag, `  ${text} (expected)`);
    else this.ctx.fail(tag, text);
  }
}
