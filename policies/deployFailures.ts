/**
 * Policies for configurations AWS rejects, or silently undoes, at deploy time.
 */
import * as aws from "@pulumi/aws";
import { globMatch, grantsService, parsePolicy } from "./iamPolicy";
import { destinationLabel, entryDestinations, notifications, NotifiedBucket } from "./links";
import { describeOverlap, findOverlaps, NotificationEntryLike } from "./model";
import { asEntryLike, NotificationEntry, notificationEntries } from "./notifications";
import { arnRegion, isUnknown, label, regionOf, ResourceRecord, str } from "./records";
import { lambdaFunctionName, StackIndex, Violation } from "./stack";
import { T } from "./types";
import { resourcePolicy, stackPolicy } from "./policy";

// ---------------------------------------------------------------------------------------------
// s3-bucket-single-notification

/** Notifications that configure a bucket another notification of the stack already configures. */
export function duplicateNotificationViolations(stack: StackIndex): Violation[] {
  const groups = new Map<string, { bucket: NotifiedBucket; members: ResourceRecord[] }>();
  for (const { n, bucket } of notifications(stack)) {
    const key = bucket.resource
      ? `urn:${bucket.resource.urn}`
      : bucket.name !== undefined
        ? `name:${bucket.name}`
        : undefined;
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.members.push(n);
    else groups.set(key, { bucket, members: [n] });
  }
  const out: Violation[] = [];
  for (const { bucket, members } of groups.values()) {
    const [first, ...rest] = members;
    for (const n of rest) {
      out.push({
        urn: n.urn,
        message:
          `${label(n)} configures bucket ${bucket.label}, which ${label(first)} also configures: ` +
          `S3 keeps one notification configuration per bucket, so each of them replaces the other's entries on every deploy. ` +
          `Merge the lambdaFunctions, queues and topics entries of both into a single aws.s3.BucketNotification for the bucket.`,
      });
    }
  }
  return out;
}

/** Checks whether each S3 bucket has at most one aws.s3.BucketNotification. */
export const s3BucketSingleNotification = stackPolicy(
  {
    name: "s3-bucket-single-notification",
    description:
      "Checks whether each S3 bucket has at most one aws.s3.BucketNotification: each one replaces the bucket's whole notification configuration.",
    enforcementLevel: "mandatory",
  },
  duplicateNotificationViolations,
);

// ---------------------------------------------------------------------------------------------
// s3-notification-filters-disjoint

/** The messages for the entries of one notification that S3 would reject as overlapping. */
export function overlappingEntryMessages(n: ResourceRecord): string[] {
  const entries = notificationEntries(n.props)
    .map(asEntryLike)
    .filter((e): e is NotificationEntryLike => e !== undefined);
  const bucket = str(n.props.bucket) ?? (isUnknown(n.props.bucket) ? "(not known yet)" : "(none)");
  return findOverlaps(entries).map((o) => `${label(n)}: ${describeOverlap(bucket, o, "Entries")}`);
}

/** Checks whether the entries of a bucket notification overlap, which S3 rejects. */
export const s3NotificationFiltersDisjoint = resourcePolicy(
  {
    name: "s3-notification-filters-disjoint",
    description:
      "Checks whether two entries of an aws.s3.BucketNotification share an event type with overlapping prefix and suffix filters, which S3 rejects.",
    enforcementLevel: "mandatory",
  },
  aws.s3.BucketNotification,
  overlappingEntryMessages,
);

// ---------------------------------------------------------------------------------------------
// s3-notification-no-fifo-destination

function isFifo(dest: ResourceRecord): boolean {
  const flag = dest.type === T.queue ? dest.props.fifoQueue : dest.props.fifoTopic;
  return flag === true || flag === "true" || (str(dest.props.name) ?? "").endsWith(".fifo");
}

/** Entries of the stack's notifications that target a FIFO queue or topic. */
export function fifoDestinationViolations(stack: StackIndex): Violation[] {
  const out: Violation[] = [];
  for (const { n } of notifications(stack)) {
    for (const e of notificationEntries(n.props)) {
      if (e.kind === "lambda") continue;
      const dests = entryDestinations(stack, n, e);
      const fifo = dests.find(isFifo);
      const byArn = typeof e.arn === "string" && e.arn.endsWith(".fifo");
      if (!fifo && !byArn) continue;
      const what = destinationLabel(fifo ?? dests[0], e);
      out.push({
        urn: n.urn,
        message:
          e.kind === "queue"
            ? `${label(n)}: entry "${e.name}" targets FIFO queue ${what}. S3 event notifications cannot deliver to FIFO queues, ` +
              `and S3 rejects the configuration. Target a standard queue, or set eventbridge: true on the notification and reach ` +
              `the FIFO queue through an EventBridge rule whose target sets sqsTarget.messageGroupId.`
            : `${label(n)}: entry "${e.name}" targets FIFO topic ${what}. S3 event notifications cannot deliver to FIFO topics, ` +
              `and S3 rejects the configuration. Target a standard topic instead.`,
      });
    }
  }
  return out;
}

/** Checks whether a bucket notification targets a FIFO queue or topic. */
export const s3NotificationNoFifoDestination = stackPolicy(
  {
    name: "s3-notification-no-fifo-destination",
    description:
      "Checks whether an aws.s3.BucketNotification targets a FIFO SQS queue or FIFO SNS topic, which S3 cannot deliver to.",
    enforcementLevel: "mandatory",
  },
  fifoDestinationViolations,
);

// ---------------------------------------------------------------------------------------------
// s3-notification-destination-same-region

function bucketRegion(bucket: NotifiedBucket, n: ResourceRecord): string | undefined {
  return bucket.resource ? regionOf(bucket.resource) : regionOf(n);
}

/** Entries of the stack's notifications whose destination is in another region than the bucket. */
export function crossRegionViolations(stack: StackIndex): Violation[] {
  const out: Violation[] = [];
  for (const { n, bucket } of notifications(stack)) {
    const region = bucketRegion(bucket, n);
    if (region === undefined) continue;
    for (const e of notificationEntries(n.props)) {
      const dests = entryDestinations(stack, n, e);
      const found: { where: string; region: string }[] = dests.length
        ? dests.flatMap((d) => {
            const r = regionOf(d);
            return r ? [{ where: label(d), region: r }] : [];
          })
        : typeof e.arn === "string" && arnRegion(e.arn)
          ? [{ where: `"${e.arn}"`, region: arnRegion(e.arn) as string }]
          : [];
      for (const f of found) {
        if (f.region === region) continue;
        out.push({
          urn: n.urn,
          message:
            `${label(n)}: entry "${e.name}" targets ${f.where} in ${f.region}, but bucket ${bucket.label} is in ${region}. ` +
            `S3 delivers event notifications only to destinations in the bucket's own region and rejects the configuration. ` +
            `Create the destination in ${region} (with the bucket's provider), or set eventbridge: true and forward the events ` +
            `from an EventBridge rule in ${region} to an event bus in ${f.region}.`,
        });
      }
    }
  }
  return out;
}

/** Checks whether a bucket notification targets a destination in another region than its bucket. */
export const s3NotificationDestinationSameRegion = stackPolicy(
  {
    name: "s3-notification-destination-same-region",
    description:
      "Checks whether every destination of an aws.s3.BucketNotification is in the bucket's region, where it can be known (destination ARN or resource region vs the bucket's or provider's region).",
    enforcementLevel: "mandatory",
  },
  crossRegionViolations,
);

// ---------------------------------------------------------------------------------------------
// s3-notification-depends-on-destination-access

/** Whether a resource policy (document) lets S3 perform `action` for `bucketArn`; true when not known yet. */
function documentGrantsS3(doc: unknown, action: string, bucketArn: string | undefined): boolean {
  if (isUnknown(doc)) return true;
  const statements = parsePolicy(doc);
  if (statements === undefined) return false;
  return statements.some((s) => grantsService(s, "s3.amazonaws.com", action, bucketArn));
}

function permissionGrantsS3(p: ResourceRecord, bucketArn: string | undefined): boolean {
  const principal = p.props.principal;
  const action = p.props.action;
  const sourceArn = p.props.sourceArn;
  const principalOk = isUnknown(principal) || str(principal) === "s3.amazonaws.com";
  const actionOk =
    isUnknown(action) || ["lambda:invokefunction", "lambda:*"].includes((str(action) ?? "").toLowerCase());
  const sourceOk =
    isUnknown(sourceArn) ||
    str(sourceArn) === undefined ||
    bucketArn === undefined ||
    globMatch(str(sourceArn) as string, bucketArn);
  return principalOk && actionOk && sourceOk;
}

/** The function a Lambda permission (or invoke config) names, as a comparable function name. */
function namedFunction(ref: unknown): string | undefined {
  const s = str(ref);
  if (s === undefined) return undefined;
  return lambdaFunctionName(s) ?? s.split(":")[0];
}

interface Grant {
  /** The resource that carries the grant. */
  resource: ResourceRecord;
  /** True when the grant is part of the destination resource itself (inline policy). */
  inline: boolean;
}

function grantsFor(
  stack: StackIndex,
  e: NotificationEntry,
  dest: ResourceRecord | undefined,
  bucketArn: string | undefined,
): Grant[] | undefined {
  switch (e.kind) {
    case "lambda": {
      const fnName = dest
        ? str(dest.props.name)
        : typeof e.arn === "string"
          ? lambdaFunctionName(e.arn)
          : undefined;
      const permissions = dest
        ? stack.referrers(dest, T.permission, "function", [T.function])
        : stack
            .ofType(T.permission)
            .filter((p) => fnName !== undefined && namedFunction(p.props.function) === fnName);
      return permissions
        .filter((p) => permissionGrantsS3(p, bucketArn))
        .map((resource) => ({ resource, inline: false }));
    }
    case "queue": {
      if (!dest) return undefined;
      const out: Grant[] = [];
      if (documentGrantsS3Known(dest.props.policy, "sqs:SendMessage", bucketArn))
        out.push({ resource: dest, inline: true });
      for (const p of stack.referrers(dest, T.queuePolicy, "queueUrl", [T.queue])) {
        if (documentGrantsS3(p.props.policy, "sqs:SendMessage", bucketArn))
          out.push({ resource: p, inline: false });
      }
      return out;
    }
    case "topic": {
      if (!dest) return undefined;
      const out: Grant[] = [];
      if (documentGrantsS3Known(dest.props.policy, "sns:Publish", bucketArn))
        out.push({ resource: dest, inline: true });
      for (const p of stack.referrers(dest, T.topicPolicy, "arn", [T.topic])) {
        if (documentGrantsS3(p.props.policy, "sns:Publish", bucketArn))
          out.push({ resource: p, inline: false });
      }
      return out;
    }
  }
}

function documentGrantsS3Known(doc: unknown, action: string, bucketArn: string | undefined): boolean {
  return doc !== undefined && doc !== null && doc !== "" && documentGrantsS3(doc, action, bucketArn);
}

const NEEDS = {
  lambda: {
    what: "aws.lambda.Permission",
    grant: 'lets s3.amazonaws.com invoke it (action "lambda:InvokeFunction")',
    add: 'Add an aws.lambda.Permission (action "lambda:InvokeFunction", principal "s3.amazonaws.com", sourceArn the bucket ARN, sourceAccount the bucket owner\'s account)',
  },
  queue: {
    what: "aws.sqs.QueuePolicy",
    grant: "lets s3.amazonaws.com call sqs:SendMessage on it",
    add: "Add an aws.sqs.QueuePolicy allowing s3.amazonaws.com sqs:SendMessage (with aws:SourceArn and aws:SourceAccount conditions)",
  },
  topic: {
    what: "aws.sns.TopicPolicy",
    grant: "lets s3.amazonaws.com call sns:Publish on it",
    add: "Add an aws.sns.TopicPolicy allowing s3.amazonaws.com sns:Publish (with aws:SourceArn and aws:SourceAccount conditions)",
  },
} as const;

/** Entries whose destination S3 cannot be sure to reach when the notification is created. */
export function missingAccessViolations(stack: StackIndex): Violation[] {
  const out: Violation[] = [];
  for (const { n, bucket } of notifications(stack)) {
    for (const e of notificationEntries(n.props)) {
      const dests = entryDestinations(stack, n, e);
      const targets: (ResourceRecord | undefined)[] = dests.length ? dests : [undefined];
      for (const dest of targets) {
        const grants = grantsFor(stack, e, dest, bucket.arn);
        if (grants === undefined) continue;
        const need = NEEDS[e.kind];
        const what = destinationLabel(dest, e);
        if (grants.length === 0) {
          if (!dest) continue; // a destination outside the stack may be granted outside it
          out.push({
            urn: n.urn,
            message:
              `${label(n)}: entry "${e.name}" targets ${what}, but nothing in the stack ${need.grant}. ` +
              `S3 test-publishes to each destination when the configuration is saved and fails with ` +
              `"Unable to validate the following destination configurations". ${need.add} and list it in the notification's dependsOn.`,
          });
          continue;
        }
        if (grants.some((g) => g.inline || stack.dependsOn(n, g.resource.urn))) continue;
        out.push({
          urn: n.urn,
          message:
            `${label(n)}: entry "${e.name}" targets ${what}, but the notification does not depend on ${label(grants[0].resource)}, ` +
            `which ${need.grant}: Pulumi may create the notification first, and S3 then fails with ` +
            `"Unable to validate the following destination configurations". Add dependsOn: [${grants[0].resource.name}] ` +
            `(the ${need.what}) to the notification.`,
        });
      }
    }
  }
  return out;
}

/** Checks whether a bucket notification depends on the permission or policy that lets S3 reach each destination. */
export const s3NotificationDependsOnDestinationAccess = stackPolicy(
  {
    name: "s3-notification-depends-on-destination-access",
    description:
      "Checks whether an aws.s3.BucketNotification depends on the aws.lambda.Permission, aws.sqs.QueuePolicy or aws.sns.TopicPolicy that lets S3 reach each destination, which S3 validates when the configuration is saved.",
    enforcementLevel: "mandatory",
  },
  missingAccessViolations,
);
