/**
 * Every policy of the pack, in the order the pack reports them. The pack entry (`index.ts`) and the
 * offline checker both take this list; tests import the policies one by one.
 *
 * Imported as `s3-event-routes/policies` to compose a CrossGuard pack of your own (needs
 * `@pulumi/policy`, a dependency of the package):
 *
 * @example
 * ```ts
 * import { PolicyPack } from "@pulumi/policy";
 * import { policies } from "s3-event-routes/policies";
 *
 * new PolicyPack("my-s3-events", { policies });
 * ```
 *
 * @module s3-event-routes/policies
 */
import { Policies } from "@pulumi/policy";
import {
  s3BucketSingleNotification,
  s3NotificationDependsOnDestinationAccess,
  s3NotificationDestinationSameRegion,
  s3NotificationFiltersDisjoint,
  s3NotificationNoFifoDestination,
} from "./deployFailures";
import { eventDeliveryHopPermitted } from "./deliveryHops";
import { s3NotificationForeignBucket } from "./foreignBucket";
import {
  eventbridgeTargetDeadLetterQueue,
  eventbridgeTargetRetryPolicy,
  s3DestinationKmsKeyUsable,
  s3LambdaTargetOnFailureDestination,
  sqsEventSourceReportsBatchFailures,
  sqsQueueDeadLetterQueue,
  sqsQueueMaxReceiveCount,
  sqsVisibilityTimeoutCoversConsumer,
} from "./lostMessages";
import { s3LambdaNoRecursiveWrite, s3LambdaRoleNoRecursiveWrite } from "./recursion";
import {
  eventbridgeApiDestinationHttps,
  eventbridgeConnectionSecretsSecret,
  s3BucketEncryptionConfigured,
  s3BucketPublicAccessBlocked,
  s3BucketTlsOnly,
  s3PrincipalScopedToSource,
  snsTopicEncrypted,
  sqsQueueEncrypted,
} from "./security";
import { sfnStateMachineDefinitionValid } from "./stateMachines";

/** The pack's policies. */
export const policies: Policies = [
  // Deploy failures
  s3BucketSingleNotification,
  s3NotificationFiltersDisjoint,
  s3NotificationNoFifoDestination,
  s3NotificationDestinationSameRegion,
  s3NotificationDependsOnDestinationAccess,
  s3NotificationForeignBucket,
  // Security
  s3PrincipalScopedToSource,
  s3BucketPublicAccessBlocked,
  s3BucketEncryptionConfigured,
  s3BucketTlsOnly,
  sqsQueueEncrypted,
  snsTopicEncrypted,
  eventbridgeApiDestinationHttps,
  eventbridgeConnectionSecretsSecret,
  // Lost messages
  s3DestinationKmsKeyUsable,
  sqsQueueDeadLetterQueue,
  sqsQueueMaxReceiveCount,
  sqsVisibilityTimeoutCoversConsumer,
  sqsEventSourceReportsBatchFailures,
  eventbridgeTargetDeadLetterQueue,
  eventbridgeTargetRetryPolicy,
  s3LambdaTargetOnFailureDestination,
  eventDeliveryHopPermitted,
  // Recursion
  s3LambdaNoRecursiveWrite,
  s3LambdaRoleNoRecursiveWrite,
  // Step Functions
  sfnStateMachineDefinitionValid,
];
