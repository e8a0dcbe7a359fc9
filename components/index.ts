/**
 * s3-event-routes: S3 event notifications routed to Lambda, SNS and SQS (and, through EventBridge,
 * Step Functions and webhooks), correct by construction.
 *
 * The package's entry point (`import { EventBucket } from "s3-event-routes"`). Other entry points:
 * `s3-event-routes/testing` (the offline mock engine, for your own tests) and
 * `s3-event-routes/handlers` (the S3 event toolkit for handlers you write yourself).
 *
 * @module s3-event-routes
 */

// The bucket and its routes.
export { EventBucket, EventBucketArgs, Route, RouteRow } from "./eventBucket";
export {
  SharedBucketNotification,
  SharedBucketNotificationArgs,
  SharedEntryArgs,
} from "./sharedNotification";
export { SharedAccessPolicy, SharedAccessPolicyArgs } from "./sharedPolicy";
export type { AccessPolicyMode } from "./resourcePolicy";
export type { PolicyKind, PolicyStatementLike } from "../model/policyMerge";

// Targets.
export { LambdaTarget, LambdaTargetArgs, FunctionCode } from "./lambdaTarget";
export { QueueTarget, QueueTargetArgs, QueueConsumer } from "./queueTarget";
export { TopicTarget, TopicTargetArgs, Subscription, HTTPS_DELIVERY_POLICY } from "./topicTarget";
export {
  StateMachineTarget,
  StateMachineTargetArgs,
  ProcessingWorkflow,
  processingWorkflowDefinition,
} from "./stateMachineTarget";
export { WebhookTarget, WebhookTargetArgs, WebhookAuth } from "./webhookTarget";
export { DeadLetterQueue, DeadLetterQueueArgs } from "./deadLetterQueue";
export { EncryptionKey, EncryptionKeyArgs } from "./encryptionKey";

// The reference handlers as targets, and the bundler behind them.
export {
  ThumbnailHandler,
  ThumbnailHandlerArgs,
  MetadataIndexHandler,
  MetadataIndexHandlerArgs,
  ReplicationHandler,
  ReplicationHandlerArgs,
  QueueConsumerHandler,
  thumbnailHandler,
  metadataIndexHandler,
  replicationHandler,
  queueConsumerHandler,
  HandlerSettings,
  HandlerDeployment,
  ObjectDestination,
} from "./referenceHandlers";
export {
  bundleHandler,
  writeBundle,
  HANDLER_NAMES,
  HandlerName,
  HandlerBundle,
  BundleOptions,
  LambdaArchitecture,
} from "./handlerBundle";

// Bucket-level events and alarms.
export { BucketEvents, BucketEventsArgs, BucketEventRoute } from "./bucketEvents";
export { BucketCallGroup, BucketSelector, BUCKET_CALLS } from "../model/eventPattern";
export { Alarms, AlarmsArgs, Watched } from "./alarms";

// Writing a target of your own: what a bucket or rule hands a target, and what it returns.
export {
  NotificationTarget,
  RuleTarget,
  NativeBinding,
  BindContext,
  RuleBindContext,
  TargetWrite,
} from "./target";
export type { AwsContext } from "./awsContext";
export type { Statement, StatementInput } from "./policyDocument";
export type {
  EntryInputCommon,
  LambdaEntryInput,
  QueueEntryInput,
  TopicEntryInput,
} from "../model/notificationMerge";

// What routes accept: event names, filters, delivery.
export {
  EventSelector,
  FriendlyEventName,
  S3EventType,
  ConcreteEventType,
  WildcardEventType,
  FRIENDLY_EVENT_NAMES,
  CONCRETE_EVENT_TYPES,
  WILDCARD_EVENT_TYPES,
} from "../model/eventTypes";
export { ObjectFilter, encodeFilterValue, decodeS3Key, filtersOverlap } from "../model/objectFilter";
export { RouteInput, RouteSpec, Delivery, NativeTargetKind, ObjectWrite } from "../model/routeModel";
export type { OwnershipIdParts } from "../model/notificationMerge";

// The payload Step Functions and webhooks receive, and how to reproduce it locally.
export { EVENTBRIDGE_RETRY_POLICY, OBJECT_EVENT_INPUT, BUCKET_CALL_INPUT } from "./ruleTarget";
export { InputTransformer, applyInputTransformer } from "../model/inputTransformer";
export { EventPattern, eventPatternFor } from "../model/eventPattern";
