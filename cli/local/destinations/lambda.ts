/**
 * Lambda, locally: synchronous invocations (queues' event source mappings, a workflow's
 * `lambda:invoke`) and asynchronous ones (S3, SNS, EventBridge) — these retried as Lambda does
 * (twice by default, the pause shortened), then their invocation record sent to the function's
 * on-failure destination.
 */
import { randomUUID } from "node:crypto";
import { LocalFunctions } from "../functions";
import { describeLag, describeResult, lagsAt, readEnvelope, short } from "../report";
import type { LocalFunction } from "../topology";
import { sleep } from "../work";
import type { Delivery, Destination, Destinations, LoopContext } from "./delivery";

/** The stack's functions as a destination. */
export class LambdaDestination implements Destination {
  constructor(
    private readonly ctx: LoopContext,
    private readonly to: Destinations,
  ) {}

  has(arn: string): boolean {
    return this.ctx.functions.find(arn) !== undefined;
  }

  /** An asynchronous invocation with the delivered event. */
  async deliver(arn: string, { tag, via, shape, body }: Delivery): Promise<undefined> {
    const fn = this.ctx.functions.find(arn)!;
    this.ctx.say(tag, `  ${via} → ${LocalFunctions.label(fn)} (${shape})`);
    await this.invokeAsync(tag, fn, JSON.parse(body) as unknown, via);
    return undefined;
  }

  /**
   * A synchronous invocation, recorded and printed.
   *
   * @param tag - the tag its lines carry.
   * @param fn - the function.
   * @param event - the event it receives.
   * @param trigger - what invoked it, as recorded.
   * @param attempt - the attempt (async retries) or the highest receive count (SQS).
   * @returns what the handler returned.
   * @throws what the handler threw.
   */
  async invoke(
    tag: string | undefined,
    fn: LocalFunction,
    event: unknown,
    trigger: string,
    attempt: number,
  ): Promise<unknown> {
    const { envelope, objects, messages, eventTimes } = readEnvelope(event);
    const label = LocalFunctions.label(fn);
    const lagMs = lagsAt(eventTimes, Date.now());
    const base = {
      function: label,
      trigger,
      envelope,
      objects,
      ...(messages ? { messages } : {}),
      attempt,
      lagMs,
    };
    const lag = lagMs.length ? ` [${describeLag(lagMs)}]` : "";
    try {
      const result = await this.ctx.functions.invoke(fn, event);
      this.ctx.record.invocations.push({ ...base, ok: true, result });
      this.ctx.say(tag, `  ${label}: ${describeResult(result)}${lag}`);
      return result;
    } catch (e) {
      const error = e as Error;
      this.ctx.record.invocations.push({ ...base, ok: false, error: `${error.name}: ${error.message}` });
      this.ctx.say(tag, `  ${label}: threw ${error.name}: ${short(error.message, 300)}${lag}`);
      throw e;
    }
  }

  /** An asynchronous invocation (S3, SNS, EventBridge): retried, then the on-failure destination. */
  async invokeAsync(tag: string, fn: LocalFunction, event: unknown, trigger: string): Promise<void> {
    const attempts = 1 + fn.maximumRetryAttempts;
    const label = LocalFunctions.label(fn);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.invoke(tag, fn, event, trigger, attempt);
        return;
      } catch (e) {
        if (attempt < attempts) {
          this.ctx.say(
            tag,
            `  ${label}: Lambda retries the asynchronous invocation (attempt ${attempt + 1} of ${attempts}; ` +
              `AWS waits 1-2 minutes, here ${this.ctx.retryDelayMs} ms)`,
          );
          await sleep(this.ctx.retryDelayMs);
          continue;
        }
        const error = e as Error;
        const failure = {
          version: "1.0",
          timestamp: new Date().toISOString(),
          requestContext: {
            requestId: randomUUID(),
            functionArn: `${fn.arn}:$LATEST`,
            condition: "RetriesExhausted",
            approximateInvokeCount: attempts,
          },
          requestPayload: event,
          responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
          responsePayload: { errorType: error.name, errorMessage: error.message },
        };
        const destination = fn.onFailure ? this.to.sqs.find(fn.onFailure) : undefined;
        if (destination) this.to.sqs.send(destination, JSON.stringify(failure), tag);
        this.ctx.fail(
          tag,
          `${label} failed ${attempts} times (${error.name}: ${short(error.message, 200)})` +
            (fn.onFailure
              ? `; the invocation record went to its on-failure destination ${destination?.name ?? fn.onFailure}`
              : ""),
        );
        return;
      }
    }
  }
}
