/**
 * Webhooks (EventBridge API destinations), locally: the event POSTed to the receiver on 127.0.0.1
 * standing in for the partner (../webhook.ts), with the connection's auth header; retried on
 * 401/407/409/429/5xx, then sent to the rule target's dead-letter queue.
 */
import { randomUUID } from "node:crypto";
import type { LocalApiDestination } from "../topology";
import {
  callWebhook,
  deliverOnce,
  localEndpoint,
  ReceivedWebhook,
  startWebhookReceiver,
  WebhookReceiver,
} from "../webhook";
import { sleep } from "../work";
import type { Delivery, Destination, Destinations, LoopContext } from "./delivery";

/** The stack's API destinations as a destination, and the receiver they call. */
export class WebhookDestination implements Destination {
  private receiver?: WebhookReceiver;
  /** The tag of the event each payload id came from, to tag the receiver's line. */
  private readonly payloadTags = new Map<string, string>();

  constructor(
    private readonly ctx: LoopContext,
    private readonly to: Destinations,
  ) {}

  /**
   * Starts the receiver.
   *
   * @param port - its port on 127.0.0.1 (0: a free one).
   */
  async listen(port: number): Promise<void> {
    this.receiver = await startWebhookReceiver(port, (r) => this.received(r));
  }

  /** The receiver (started by {@link listen}). */
  get running(): WebhookReceiver {
    if (!this.receiver) throw new Error("The webhook receiver is not started.");
    return this.receiver;
  }

  has(arn: string): boolean {
    return this.find(arn) !== undefined;
  }

  private find(arn: string): LocalApiDestination | undefined {
    return this.ctx.topology.apiDestinations.find((d) => d.arn === arn);
  }

  /** The event (or what the input transformer made of it) as the request body. */
  async deliver(
    arn: string,
    { tag, via, shape, body, label: planLabel, deadLetterArn }: Delivery,
  ): Promise<undefined> {
    const destination = this.find(arn)!;
    const label = planLabel ?? `webhook "${destination.name}"`;
    this.ctx.say(tag, `  ${via} → ${label} (${shape})`);
    const { endpoint, method, headers } = destination;
    const receiver = this.running;
    const url = localEndpoint(endpoint, receiver.url);
    try {
      const id = (JSON.parse(body) as { id?: unknown }).id;
      if (typeof id === "string") this.payloadTags.set(id, tag);
    } catch {
      // not JSON: no id to follow
    }
    const { delivered } = await deliverOnce(
      // No client timeout: the receiver runs on this process's event loop, which under load can be busy
      // past API destinations' 5 s while the request has arrived; a retry then would deliver it twice.
      (extra) => callWebhook(url, method, { ...headers, ...extra }, body, 0),
      randomUUID(),
      (id) => receiver.hasDelivery(id),
      3,
      () => sleep(this.ctx.retryDelayMs),
      (response) =>
        this.ctx.say(
          tag,
          `  ${label}: ${method} ${url} (for ${endpoint}) → ${response.status || response.error}`,
        ),
    );
    if (delivered) return undefined;
    const dlq = deadLetterArn ? this.to.sqs.find(deadLetterArn) : undefined;
    if (dlq) this.to.sqs.send(dlq, body, tag);
    this.ctx.fail(
      tag,
      `${label}: not delivered${dlq ? `; the event went to the target's DLQ ${dlq.name}` : ""}`,
    );
    return undefined;
  }

  private received(r: ReceivedWebhook): void {
    const body = r.body as Record<string, unknown>;
    const tag = typeof body?.id === "string" ? this.payloadTags.get(body.id) : undefined;
    const extra = Object.keys(r.headers).filter((h) => h.startsWith("x-") || h === "authorization");
    this.ctx.say(
      tag,
      `  webhook receiver: ${r.method} ${r.path}: payload id ${String(body?.id)}, "${String(body?.type)}" ` +
        `"${String(body?.key)}" (fields ${typeof body === "object" && body ? Object.keys(body).join(",") : "none"}` +
        `${extra.length ? `; headers ${extra.join(", ")}` : ""})`,
    );
  }
}
