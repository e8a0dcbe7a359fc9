/**
 * The arguments of {@link EventRouter} as plain data: named interfaces, string enums, arrays and
 * maps — the shapes Pulumi's component analyzer turns into a package schema, so that Python, Go,
 * .NET and YAML programs can pass them. Targets refer to each other, and routes to targets, by name.
 *
 * A field typed `pulumi.Input<...>` may be another resource's output; every other field must be
 * known when the program runs (it decides which resources exist).
 */
import * as pulumi from "@pulumi/pulumi";

/** What a target is. */
export enum TargetKind {
  /** A Lambda function: built from a code archive, or adopted by ARN. Settings: `lambda`. */
  Lambda = "lambda",
  /** A standard SQS queue with a dead-letter queue, or an adopted one. Settings: `queue`. */
  Queue = "queue",
  /** A standard SNS topic with its subscribers, or an adopted one. Settings: `topic`. */
  Topic = "topic",
  /** A Step Functions state machine (EventBridge delivery only). Settings: `stateMachine`. */
  StateMachine = "stateMachine",
  /** An HTTPS endpoint called through an EventBridge API destination (EventBridge only). Settings: `webhook`. */
  Webhook = "webhook",
}

/** How a route's events reach its target. */
export enum Delivery {
  /** The bucket's own notification (Lambda, SNS and SQS targets). */
  Native = "native",
  /** An EventBridge rule (every target kind). */
  EventBridge = "eventbridge",
}

/** What to do when a native route would overlap one already on the bucket. */
export enum OverlapHandling {
  /** Fail with the two routes named (the default). */
  Error = "error",
  /** Deliver the later route through EventBridge instead. */
  EventBridge = "eventbridge",
}

/** A Lambda function's instruction set. */
export enum Architecture {
  /** Graviton (the default: cheaper per GB-second). */
  Arm64 = "arm64",
  /** x86-64. */
  X86_64 = "x86_64",
}

/** How a topic is encrypted. */
export enum TopicEncryption {
  /** A customer-managed key made for the topic, whose policy lets S3 use it (the default). */
  Create = "create",
  /** No encryption, explicitly. */
  None = "none",
}

/** A topic subscriber's protocol. */
export enum SubscriptionProtocol {
  /** An email address (it must confirm). */
  Email = "email",
  /** A phone number in E.164 form. */
  Sms = "sms",
  /** An HTTPS endpoint (it must confirm). */
  Https = "https",
  /** A queue target of this router, named in `target`. */
  Sqs = "sqs",
  /** A Lambda target of this router, named in `target`. */
  Lambda = "lambda",
}

/** A state machine's type. */
export enum StateMachineType {
  /** Exactly-once, up to a year (the default). */
  Standard = "STANDARD",
  /** At-least-once, up to 5 minutes. */
  Express = "EXPRESS",
}

/** A state machine's execution log level. */
export enum LogLevel {
  /** Every event (the default; execution data excluded unless asked for). */
  All = "ALL",
  /** Errors only. */
  Error = "ERROR",
  /** Fatal errors only. */
  Fatal = "FATAL",
}

/** How a webhook authenticates. */
export enum WebhookAuthType {
  /** An API key in a header; `header` names it, `secret` holds it. */
  ApiKey = "apiKey",
  /** HTTP basic; `username`, and `secret` holds the password. */
  Basic = "basic",
  /** OAuth client credentials; `tokenUrl`, `clientId`, and `secret` holds the client secret. */
  OAuth = "oauth",
}

/** An HTTP method. */
export enum HttpMethod {
  /** POST. */
  Post = "POST",
  /** PUT. */
  Put = "PUT",
  /** GET (OAuth token endpoints only). */
  Get = "GET",
}

/** An adopted bucket. */
export interface ExistingBucket {
  /** The bucket's name. */
  bucketName: string;
}

/** An IAM statement granted to a function or state machine role (always `Allow`). */
export interface PolicyStatement {
  /** The statement id. */
  sid?: string;
  /** Exact actions, e.g. `["dynamodb:PutItem"]`. */
  actions: string[];
  /** Exact resource ARNs. */
  resources: string[];
}

/** Where a function writes objects, so that a route that would trigger on them is refused. */
export interface ObjectWrite {
  /** The bucket written to, by its physical name (the router's bucket when it equals `bucketName`). */
  bucketName: string;
  /** The key prefix written. */
  prefix?: string;
  /** The key suffix written. */
  suffix?: string;
}

/** A Lambda target. Give exactly one of `code` and `existingArn`. */
export interface LambdaSettings {
  /** The function's code: a folder or zip archive (give an absolute path: the provider runs in its own directory). */
  code?: pulumi.asset.Archive;
  /** The handler within the archive. Default `index.handler`. */
  handler?: string;
  /** The runtime. Default `nodejs22.x`. */
  runtime?: string;
  /** An existing function's ARN (unqualified); only permissions and the async invoke config are created. */
  existingArn?: pulumi.Input<string>;
  /** An existing function's timeout in seconds, when a queue feeds it. Default 3. */
  existingTimeoutSeconds?: number;
  /** Memory in MB, 128 to 10,240. Default 256. */
  memorySize?: number;
  /** Timeout in seconds, 1 to 900. Default 30. */
  timeoutSeconds?: number;
  /** Instruction set. Default `arm64`. */
  architecture?: Architecture;
  /** Environment variables (stored in plain text: not for secrets). */
  environment?: Record<string, pulumi.Input<string>>;
  /** Days the logs are kept. Default 14. */
  logRetentionDays?: number;
  /** Reserved concurrent executions. Default none. */
  reservedConcurrency?: number;
  /** Retries of a failed asynchronous invoke, 0 to 2. Default 2. */
  maximumRetryAttempts?: number;
  /** Seconds an event may wait before it goes to the on-failure queue, 60 to 21,600. Default 21,600. */
  maximumEventAgeSeconds?: number;
  /** Further statements for the function's role. */
  policyStatements?: PolicyStatement[];
  /** Where the function writes objects. */
  writes?: ObjectWrite[];
}

/** A queue target. */
export interface QueueSettings {
  /** An existing standard queue's ARN (give `existingUrl` with it). */
  existingArn?: string;
  /** An existing queue's URL. */
  existingUrl?: string;
  /** The Lambda target (by name) that consumes the queue. */
  consumer?: string;
  /** Messages per batch for the consumer, 1 to 10,000. Default 10. */
  batchSize?: number;
  /** Seconds to gather a batch, 0 to 300. Default 1. */
  maximumBatchingWindowSeconds?: number;
  /** Most concurrent consumer invocations, 2 to 1,000. Default no limit. */
  maximumConcurrency?: number;
  /** The consumer's timeout when it is not a target of this router. Default 30. */
  consumerTimeoutSeconds?: number;
  /** Visibility timeout in seconds. Default and minimum: 6 × the consumer's timeout. */
  visibilityTimeoutSeconds?: number;
  /** Receives before a message moves to the dead-letter queue, 5 to 1,000. Default 5. */
  maxReceiveCount?: number;
  /** Seconds a message is kept, 60 to 1,209,600. Default 345,600. */
  messageRetentionSeconds?: number;
  /** Long-polling wait, 0 to 20 seconds. Default 20. */
  receiveWaitTimeSeconds?: number;
}

/** One subscriber of a topic target. */
export interface TopicSubscription {
  /** The protocol. */
  protocol: SubscriptionProtocol;
  /** The address, number or URL (email, sms, https). */
  endpoint?: string;
  /** The queue or Lambda target of this router, by name (sqs, lambda). */
  target?: string;
  /** Send the S3 event as the body instead of SNS's envelope (https, sqs). Default false. */
  rawMessageDelivery?: boolean;
}

/** A topic target. */
export interface TopicSettings {
  /** An existing standard topic's ARN. */
  existingArn?: string;
  /** Encryption. Default `create`. */
  encryption?: TopicEncryption;
  /** An existing customer-managed key ARN (instead of `encryption`). */
  kmsKeyArn?: string;
  /** Subscribers. */
  subscriptions?: TopicSubscription[];
}

/** A state machine target. Give exactly one of `definition`, `workflowProcessor` and `existingArn`. */
export interface StateMachineSettings {
  /** An Amazon States Language definition, as JSON. */
  definition?: pulumi.Input<string>;
  /** The ready processing workflow, with this Lambda target (by name) as its processor. */
  workflowProcessor?: string;
  /** The content types the ready workflow processes. Default `["application/pdf"]`. */
  workflowContentTypes?: string[];
  /** An existing state machine's ARN. */
  existingArn?: pulumi.Input<string>;
  /** The type. Default `STANDARD`. */
  type?: StateMachineType;
  /** Execution log level. Default `ALL`. */
  logLevel?: LogLevel;
  /** Include execution input and output in the logs. Default false. */
  logExecutionData?: boolean;
  /** Days the execution logs are kept. Default 14. */
  logRetentionDays?: number;
  /** Further statements for the machine's role (for a custom `definition`). */
  policyStatements?: PolicyStatement[];
}

/** How a webhook authenticates. */
export interface WebhookAuth {
  /** The scheme. */
  type: WebhookAuthType;
  /** The API key's header (apiKey), e.g. `x-api-key`. */
  header?: string;
  /** The user name (basic). */
  username?: string;
  /** The token endpoint, HTTPS (oauth). */
  tokenUrl?: string;
  /** The client id (oauth). */
  clientId?: string;
  /** The token endpoint's method (oauth). Default `POST`. */
  tokenHttpMethod?: HttpMethod;
  /** The scope to request (oauth). */
  scope?: string;
  /**
   * The API key, password or client secret. Must be a secret (a secret config value, or
   * `pulumi.Output.secret(...)`); a plain value is refused. It is stored in Secrets Manager.
   */
  secret: pulumi.Input<string>;
}

/** A webhook target. */
export interface WebhookSettings {
  /** The receiving endpoint, `https://`. */
  endpoint: string;
  /** How to authenticate. */
  auth: WebhookAuth;
  /** HTTP method, POST or PUT. Default POST. */
  httpMethod?: HttpMethod;
  /** Requests per second, 1 to 300. Default 10. */
  rateLimitPerSecond?: number;
  /** Fixed headers (not secrets: stored in plain text). */
  headers?: Record<string, string>;
  /** Seconds an event may be retried, 60 to 86,400. Default 86,400. */
  maximumEventAgeSeconds?: number;
  /** Retries, 0 to 185. Default 185. */
  maximumRetryAttempts?: number;
}

/** A target: its kind, and the settings of that kind. */
export interface Target {
  /** A name unique in the router; routes and other targets refer to it, and its resources are named `<router>-<name>`. */
  name: string;
  /** What the target is; give only the settings of this kind. */
  kind: TargetKind;
  /** Settings of a `lambda` target (required for it: code or existingArn). */
  lambda?: LambdaSettings;
  /** Settings of a `queue` target. */
  queue?: QueueSettings;
  /** Settings of a `topic` target. */
  topic?: TopicSettings;
  /** Settings of a `stateMachine` target (required for it). */
  stateMachine?: StateMachineSettings;
  /** Settings of a `webhook` target (required for it). */
  webhook?: WebhookSettings;
}

/** A route: which events, which objects, which target. */
export interface Route {
  /** A name unique on the bucket. Default `route<n>`. */
  name?: string;
  /** Friendly names (`created`, `removed`, ...) or S3 event types (`s3:ObjectCreated:Put`). */
  events: string[];
  /** Key prefix, as keys are written (no wildcards). */
  prefix?: string;
  /** Key suffix, as keys are written. */
  suffix?: string;
  /** How events are delivered. Default: native for Lambda, queue and topic targets, EventBridge otherwise. */
  delivery?: Delivery;
  /** The target, by name. */
  target: string;
}

/** Arguments of {@link EventRouter}. */
export interface EventRouterArgs {
  /** Adopt an existing bucket by name: only this stack's notification entries are managed. Excludes `bucketName`. */
  existing?: ExistingBucket;
  /** A new bucket's physical name. Default: the router's name plus a random suffix. */
  bucketName?: string;
  /** Keep every version of every object (new bucket). Default false. */
  versioning?: boolean;
  /** Let `pulumi destroy` delete a bucket that still holds objects (new bucket). Default false. */
  forceDestroy?: boolean;
  /** What to do with a native route that would overlap another. Default `error`. */
  onOverlap?: OverlapHandling;
  /** The targets. */
  targets: Target[];
  /** The routes. */
  routes: Route[];
}

/** One row of the route table. */
export interface RouteTableRow {
  /** The route's name. */
  route: string;
  /** S3 event types. */
  events: string[];
  /** The prefix, as written. */
  prefix?: string;
  /** The suffix, as written. */
  suffix?: string;
  /** `native` or `eventbridge`. */
  delivery: string;
  /** The target's label, e.g. `lambda "uploads-thumbnails"`. */
  target: string;
  /** The route it was rerouted from overlapping, when `onOverlap: eventbridge` applied. */
  reroutedFrom?: string;
}
