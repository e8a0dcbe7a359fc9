/**
 * SQS queues and their event source mappings, locally. A queue with a consumer collects messages
 * for the mapping's batching window (or until a batch is full), hands the batch to the function as
 * an SQS event, deletes what succeeded, and — with ReportBatchItemFailures — makes exactly the
 * reported messages visible again; a failed invocation returns the whole batch. A message received
 * `maxReceiveCount` times without success moves to the redrive policy's dead-letter queue. The
 * visibility timeout is shortened to a local delay; one batch at a time per queue.
 */
import { randomUUID } from "node:crypto";
import { QueueMessage, sqsRecord } from "./envelopes";
import type { LocalQueue } from "./topology";
import type { PendingWork } from "./work";

/** What a consumer's invocation reports. */
export interface BatchOutcome {
  /** Message ids to make visible again (every message when the invocation failed). */
  failed: string[];
}

/** What the queues tell the loop. */
export interface QueueHooks {
  /** Invokes a queue's consumer with an SQS event; resolves with the failed message ids. */
  consume(
    queue: LocalQueue,
    event: { Records: Record<string, unknown>[] },
    batch: QueueMessage[],
  ): Promise<BatchOutcome>;
  /** A message arrived in a queue without a consumer (a dead-letter or on-failure queue). */
  stored(queue: LocalQueue, message: QueueMessage, from?: LocalQueue): void;
  /** A message was received `maxReceiveCount` times without success and moved to the dead-letter queue. */
  deadLettered(queue: LocalQueue, message: QueueMessage, deadLetter: LocalQueue | undefined): void;
  /** A message is visible again after a failed receive. */
  redelivering(queue: LocalQueue, message: QueueMessage): void;
}

interface QueueState {
  queue: LocalQueue;
  visible: { message: QueueMessage; done: () => void }[];
  stored: QueueMessage[];
  processed: QueueMessage[];
  timer?: NodeJS.Timeout;
  busy: boolean;
}

/** The queues of a stack. */
export class LocalQueues {
  private readonly states = new Map<string, QueueState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  /**
   * @param queues - the stack's queues.
   * @param hooks - how batches are consumed and what is reported.
   * @param work - pending work: each message waiting in a consumed queue counts.
   * @param redeliveryMs - how long a failed message stays invisible (SQS: the visibility timeout).
   */
  constructor(
    queues: readonly LocalQueue[],
    private readonly hooks: QueueHooks,
    private readonly work: PendingWork,
    private readonly redeliveryMs: number,
  ) {
    for (const queue of queues) {
      this.states.set(queue.arn, { queue, visible: [], stored: [], processed: [], busy: false });
    }
  }

  /** A queue by ARN, name in AWS, or logical name. */
  find(ref: string): LocalQueue | undefined {
    for (const s of this.states.values()) {
      if (s.queue.arn === ref || s.queue.queueName === ref || s.queue.name === ref) return s.queue;
    }
    return undefined;
  }

  /** Messages sitting in a queue without a consumer. */
  stored(queue: LocalQueue): readonly QueueMessage[] {
    return this.states.get(queue.arn)?.stored ?? [];
  }

  /** Messages a consumer processed successfully. */
  processed(queue: LocalQueue): readonly QueueMessage[] {
    return this.states.get(queue.arn)?.processed ?? [];
  }

  /**
   * Sends a message.
   *
   * @param queue - the queue.
   * @param body - the body.
   * @param origin - what caused it, for the loop's lines.
   */
  send(queue: LocalQueue, body: string, origin?: string): QueueMessage {
    const message: QueueMessage = {
      messageId: randomUUID(),
      body,
      sentTimestamp: Date.now(),
      firstReceiveTimestamp: 0,
      receiveCount: 0,
      ...(origin !== undefined ? { origin } : {}),
    };
    this.enqueue(this.states.get(queue.arn)!, message);
    return message;
  }

  /** Stops delivering: timers cleared, waiting messages released from pending work. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.states.values()) {
      if (s.timer) clearTimeout(s.timer);
      for (const v of s.visible.splice(0)) v.done();
    }
  }

  private later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  private enqueue(state: QueueState, message: QueueMessage, from?: LocalQueue): void {
    if (!state.queue.consumer) {
      state.stored.push(message);
      this.hooks.stored(state.queue, message, from);
      return;
    }
    state.visible.push({ message, done: this.work.begin() });
    this.schedule(state);
  }

  private schedule(state: QueueState): void {
    const consumer = state.queue.consumer;
    if (!consumer || this.closed || state.busy || state.timer || state.visible.length === 0) return;
    const full = state.visible.length >= consumer.batchSize;
    state.timer = this.later(full ? 0 : consumer.windowSeconds * 1000, () => {
      state.timer = undefined;
      void this.deliver(state);
    });
  }

  private async deliver(state: QueueState): Promise<void> {
    const consumer = state.queue.consumer!;
    if (this.closed || state.busy || state.visible.length === 0) return;
    state.busy = true;
    const batch = state.visible.splice(0, consumer.batchSize);
    const now = Date.now();
    for (const { message } of batch) {
      message.receiveCount += 1;
      if (message.firstReceiveTimestamp === 0) message.firstReceiveTimestamp = now;
    }
    const event = { Records: batch.map(({ message }) => sqsRecord(message, state.queue.arn)) };
    let failed: Set<string>;
    try {
      failed = new Set(
        (
          await this.hooks.consume(
            state.queue,
            event,
            batch.map((b) => b.message),
          )
        ).failed,
      );
    } catch {
      failed = new Set(batch.map((b) => b.message.messageId));
    }
    for (const entry of batch) {
      const { message, done } = entry;
      if (!failed.has(message.messageId)) {
        state.processed.push(message);
        done();
        continue;
      }
      const redrive = state.queue.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        const target = this.states.get(redrive.deadLetterArn);
        this.hooks.deadLettered(state.queue, message, target?.queue);
        if (target) this.enqueue(target, { ...message }, state.queue);
        done();
        continue;
      }
      this.hooks.redelivering(state.queue, message);
      this.later(this.redeliveryMs, () => {
        if (this.closed) return done();
        state.visible.push(entry);
        this.schedule(state);
      });
    }
    state.busy = false;
    this.schedule(state);
  }
}
