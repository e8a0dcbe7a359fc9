/**
 * The one shape every local destination shares: what arrives (a {@link Delivery}), the
 * {@link Destination} that takes it, and the {@link LoopContext} each destination prints and records
 * through. One module per destination sits beside this one (lambda, sns, sqs, stepFunctions,
 * webhook), and eventBridge.ts routes a rule's targets to them.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { LocalFunctions } from "../functions";
import type { LocalSummary } from "../report";
import type { Topology } from "../topology";
import type { EventBridgeRules } from "./eventBridge";
import type { LambdaDestination } from "./lambda";
import type { SnsDestination } from "./sns";
import type { SqsDestination } from "./sqs";
import type { StepFunctionsDestination } from "./stepFunctions";
import type { WebhookDestination } from "./webhook";

/** One hop of an event: what arrives at a destination, and how it got there. */
export interface Delivery {
  /** The tag of the event it belongs to (`#3`, `@1`), printed before each line. */
  tag: string;
  /** Where it comes from, as printed and recorded as the trigger: `route thumbnails`, `sns "alerts"`. */
  via: string;
  /** How it arrives, for the printed line: `native: S3 event, key "a.jpg"`, `SNS event`. */
  shape: string;
  /** The message: the event's JSON text, or what an input transformer made of it. */
  body: string;
  /** The SNS subject, when one is set (S3 publishes "Amazon S3 Notification"). */
  subject?: string;
  /** What the plan calls the target (`sfn "invoices"`), when a route leads there. */
  label?: string;
  /** The rule target's dead-letter queue, for what cannot be delivered. */
  deadLetterArn?: string;
}

/** A kind of destination: Lambda, SNS, SQS, Step Functions, webhook. */
export interface Destination {
  /** Whether `arn` names one of the stack's resources of this kind. */
  has(arn: string): boolean;
  /**
   * Delivers to the resource `arn` names, printing the hop and what follows it.
   *
   * @returns the message id, for destinations that give one (SNS, SQS).
   */
  deliver(arn: string, delivery: Delivery): Promise<string | undefined>;
}

/** What the loop records as deliveries happen (the rest of its summary is read at the end). */
export type LoopRecord = Pick<
  LocalSummary,
  "events" | "bucketCalls" | "invocations" | "notifications" | "executions" | "failures"
>;

/** What every destination prints and records through. */
export interface LoopContext {
  /** The stack's topology. */
  readonly topology: Topology;
  /** Its functions, run in-process. */
  readonly functions: LocalFunctions;
  /** What happened so far. */
  readonly record: LoopRecord;
  /** The pause before a retry (AWS: minutes, with back-off). */
  readonly retryDelayMs: number;
  /** s3rver's client (the loop's own calls, as a state machine's `aws-sdk:s3:*` tasks). */
  s3(): S3Client;
  /** Prints a line, tagged with the event it belongs to. */
  say(tag: string | undefined, text: string): void;
  /** Prints and records a failure. */
  fail(tag: string | undefined, text: string): void;
}

/** Every destination of the loop, by kind (each reaches the others through this). */
export interface Destinations {
  /** The stack's functions. */
  lambda: LambdaDestination;
  /** Its topics. */
  sns: SnsDestination;
  /** Its queues. */
  sqs: SqsDestination;
  /** Its state machines. */
  stepFunctions: StepFunctionsDestination;
  /** Its API destinations (webhooks). */
  webhook: WebhookDestination;
  /** EventBridge's rules, which deliver to the others. */
  eventBridge: EventBridgeRules;
}

/** The destination `arn` names, whatever its kind. */
export function destinationOf(to: Destinations, arn: string): Destination | undefined {
  return [to.lambda, to.sns, to.sqs, to.stepFunctions, to.webhook].find((d) => d.has(arn));
}
