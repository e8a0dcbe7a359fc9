/**
 * What a target is to a bucket: something that binds to it and returns what the bucket's single
 * notification needs — the kind of entry, the destination ARN, and the resources (permissions,
 * policies) S3's destination validation needs to exist first.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext } from "./awsContext";
import type { DeadLetterQueue } from "./deadLetterQueue";
import { ObjectFilter } from "../model/objectFilter";
import { NativeTargetKind, RouteSpec } from "../model/routeModel";

/** What a target learns about the bucket and route it is bound to. */
export interface BindContext {
  /** The bucket component's logical name, for resource names and messages. */
  bucketName: string;
  /** The bucket's physical name. */
  bucketId: pulumi.Output<string>;
  /** The bucket's ARN. */
  bucketArn: pulumi.Output<string>;
  /** Account, region and partition of the bucket. */
  aws: AwsContext;
  /** The route being bound. */
  route: RouteSpec;
  /** The bucket's customer-managed key, when it has one: readers need kms:Decrypt on it. */
  kmsKeyArn?: pulumi.Output<string>;
}

/** What a native notification entry needs from a target. */
export interface NativeBinding {
  /** Which list of the notification the entry goes in. */
  kind: NativeTargetKind;
  /** The destination's ARN. */
  arn: pulumi.Output<string>;
  /** Resources the notification must depend on (permission, queue or topic policy). */
  dependsOn: pulumi.Resource[];
}

/** Where a target writes objects, with the bucket named by component or physical name. */
export interface TargetWrite {
  /** The bucket written to: an EventBucket-like component (compared by identity) or a physical name. */
  bucket: object | string;
  /** The keys written. */
  filter: ObjectFilter;
}

/** A destination of native S3 notifications (and of EventBridge rules). */
export interface NotificationTarget extends RuleTarget {
  /** A label for messages and the plan, e.g. `lambda "thumbnailer"`. */
  readonly label: string;
  /** Where the target writes objects, so a self-triggering route is refused at construction. */
  readonly writes: readonly TargetWrite[];
  /**
   * Binds the target to a bucket for a native notification entry. Called once per route; a
   * target bound to one bucket by several routes creates its permission once.
   */
  bindNative(ctx: BindContext): NativeBinding;
}

/** What a target learns about the EventBridge rule it is bound to. */
export interface RuleBindContext {
  /** A name unique to the rule in the stack (e.g. `<bucket>-<route>`), for child resource names. */
  ruleKey: string;
  /** The rule. */
  rule: aws.cloudwatch.EventRule;
  /** Account, region and partition. */
  aws: AwsContext;
  /** What the rule's events are: S3 object events, or CloudTrail records of bucket-level calls. */
  events: "object" | "bucket-call";
  /** For object events: the bucket and route, so a reader can be granted the route's prefix. */
  object?: BindContext;
}

/** A destination reachable through an EventBridge rule. */
export interface RuleTarget {
  /** A label for messages and the plan. */
  readonly label: string;
  /** Where the target writes objects. */
  readonly writes: readonly TargetWrite[];
  /**
   * Adds this target to a rule: the EventBridge target with its retry policy and dead-letter
   * queue, and whatever permission or role the rule needs to reach it.
   */
  bindRule(ctx: RuleBindContext): aws.cloudwatch.EventTarget;
  /** The target's dead-letter queues (for alarms): where events end up when every retry failed. */
  deadLetterQueues(): DeadLetterQueue[];
}

/** True when a target can be named in a native S3 notification. */
export function isNativeTarget(
  target: RuleTarget | NotificationTarget,
): target is NotificationTarget & RuleTarget {
  return typeof (target as Partial<NotificationTarget>).bindNative === "function";
}
