/**
 * SNS, locally: a message published to one of the stack's topics goes to each subscription as SNS
 * would send it — email and SMS printed (never sent), SQS subscribers get the notification (or the
 * raw message), Lambda subscribers the SNS event.
 */
import { snsLambdaEvent, snsNotification } from "../envelopes";
import { short } from "../report";
import type { LocalTopic } from "../topology";
import type { Delivery, Destination, Destinations, LoopContext } from "./delivery";

/** The stack's topics as a destination. */
export class SnsDestination implements Destination {
  constructor(
    private readonly ctx: LoopContext,
    private readonly to: Destinations,
  ) {}

  has(arn: string): boolean {
    return this.find(arn) !== undefined;
  }

  /** The message published to the topic. */
  async deliver(arn: string, { tag, via, shape, body, subject }: Delivery): Promise<string> {
    const topic = this.find(arn)!;
    this.ctx.say(tag, `  ${via} → sns "${topic.name}" (${shape}, published as the message)`);
    return this.publish(tag, topic, body, subject);
  }

  private find(arn: string): LocalTopic | undefined {
    return this.ctx.topology.topics.find((t) => t.arn === arn);
  }

  /** Publishes to a topic: each subscription gets what SNS would send it. Resolves to the message id. */
  private async publish(tag: string, topic: LocalTopic, message: string, subject?: string): Promise<string> {
    const notification = snsNotification(topic.arn, message, subject);
    const label = `sns "${topic.name}"`;
    const deliveries: Promise<unknown>[] = [];
    if (topic.subscriptions.length === 0) this.ctx.say(tag, `  ${label}: no subscriptions`);
    for (const sub of topic.subscriptions) {
      switch (sub.protocol) {
        case "email":
        case "email-json": {
          const body = sub.protocol === "email" ? message : JSON.stringify(notification, null, 2);
          const mailSubject = subject ?? "AWS Notification Message";
          this.ctx.record.notifications.push({
            topic: label,
            protocol: sub.protocol,
            endpoint: sub.endpoint,
            subject: mailSubject,
            body,
          });
          this.ctx.say(
            tag,
            `  ${label} → ${sub.protocol} to ${sub.endpoint} (printed, not sent): subject "${mailSubject}", ` +
              `${body.length} characters: ${short(body.replace(/\s+/g, " "), 120)}`,
          );
          break;
        }
        case "sms":
          this.ctx.record.notifications.push({
            topic: label,
            protocol: "sms",
            endpoint: sub.endpoint,
            body: message,
          });
          this.ctx.say(
            tag,
            `  ${label} → SMS to ${sub.endpoint} (printed, not sent): ${short(message, 120)}`,
          );
          break;
        case "sqs": {
          const queue = this.to.sqs.find(sub.endpoint);
          if (!queue) {
            this.ctx.fail(tag, `${label} → sqs ${sub.endpoint}: no such queue in the stack`);
            break;
          }
          const body = sub.raw ? message : JSON.stringify(notification, null, 2);
          this.ctx.say(
            tag,
            `  ${label} → sqs "${queue.name}" (${sub.raw ? "raw message delivery: the message itself" : "SNS notification as the body"})`,
          );
          this.to.sqs.send(queue, body, tag);
          break;
        }
        case "lambda": {
          if (!this.to.lambda.has(sub.endpoint)) {
            this.ctx.fail(tag, `${label} → lambda ${sub.endpoint}: no such function in the stack`);
            break;
          }
          const event = snsLambdaEvent(notification, `${topic.arn}:${sub.name}`);
          deliveries.push(
            this.to.lambda.deliver(sub.endpoint, {
              tag,
              via: label,
              shape: "SNS event",
              body: JSON.stringify(event),
            }),
          );
          break;
        }
        default:
          this.ctx.say(tag, `  ${label} → ${sub.protocol} ${sub.endpoint}: not delivered locally`);
      }
    }
    await Promise.all(deliveries);
    return notification.MessageId;
  }
}
