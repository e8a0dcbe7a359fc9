/**
 * s3-event-routes: S3 event notifications routed to Lambda, SNS and SQS (and, through EventBridge,
 * Step Functions and webhooks), correct by construction.
 */
export { EventBucket, EventBucketArgs, Route, RouteRow } from "./eventBucket";
export {
  SharedBucketNotification,
  SharedBucketNotificationArgs,
  SharedEntryArgs,
  SharedNotificationInputs,
  SharedNotificationState,
  SharedNotificationProviderOptions,
  sharedNotificationProvider,
} from "./sharedNotification";
export { LambdaTarget, LambdaTargetArgs, FunctionCode } from "./lambdaTarget";
export { QueueTarget, QueueTargetArgs, QueueConsumer } from "./queueTarget";
export { TopicTarget, TopicTargetArgs, Subscription, HTTPS_DELIVERY_POLICY } from "./topicTarget";
export { DeadLetterQueue, DeadLetterQueueArgs } from "./deadLetterQueue";
export { EncryptionKey, EncryptionKeyArgs } from "./encryptionKey";
export { NotificationTarget, NativeBinding, BindContext, TargetWrite } from "./target";
export * from "./eventTypes";
export * from "./objectFilter";
export * from "./routeModel";
export {
  StateMachineTarget,
  StateMachineTargetArgs,
  ProcessingWorkflow,
  processingWorkflowDefinition,
} from "./stateMachineTarget";
export { WebhookTarget, WebhookTargetArgs, WebhookAuth } from "./webhookTarget";
export { BucketEvents, BucketEventsArgs, BucketEventRoute } from "./bucketEvents";
export { RuleTarget, RuleBindContext } from "./target";
export { EVENTBRIDGE_RETRY_POLICY, OBJECT_EVENT_INPUT, BUCKET_CALL_INPUT } from "./ruleTarget";
export * from "./eventPattern";
export { Alarms, AlarmsArgs, Watched } from "./alarms";
export * from "./notificationMerge";
export * from "./inputTransformer";
export * from "./referenceHandlers";
export {
  bundleHandler,
  HandlerName,
  HandlerBundle,
  BundleOptions,
  LambdaArchitecture,
} from "./handlerBundle";
