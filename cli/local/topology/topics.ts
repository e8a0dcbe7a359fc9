/** SNS topics and their subscriptions. */
import { arnOf, Recorded, str } from "./recorded";

/** A subscription of a topic. */
export interface LocalSubscription {
  /** The logical name. */
  name: string;
  /** `email`, `email-json`, `sms`, `sqs`, `lambda`, `https`, ... */
  protocol: string;
  /** The address, number, or ARN. */
  endpoint: string;
  /** Raw message delivery (SQS, HTTPS). */
  raw: boolean;
}

/** An SNS topic. */
export interface LocalTopic {
  /** The logical name. */
  name: string;
  /** Its ARN. */
  arn: string;
  /** Its subscriptions. */
  subscriptions: LocalSubscription[];
}

/** Every topic, with its subscriptions. */
export function readTopics(recorded: Recorded): LocalTopic[] {
  const subscriptions = recorded.of("aws:sns/topicSubscription:TopicSubscription");
  return recorded.of("aws:sns/topic:Topic").map((t) => ({
    name: t.name,
    arn: arnOf(t),
    subscriptions: subscriptions
      .filter((s) => s.inputs.topic === arnOf(t))
      .map((s) => ({
        name: s.name,
        protocol: str(s.inputs.protocol) ?? "?",
        endpoint: str(s.inputs.endpoint) ?? "?",
        raw: s.inputs.rawMessageDelivery === true,
      })),
  }));
}
