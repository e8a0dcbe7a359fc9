/**
 * The stack: one uploads bucket whose routes cover every use of the product, a replica bucket,
 * bucket creation/deletion alerts, and alarms on every failure path. `pulumi up` per environment
 * (Pulumi.dev.yaml, Pulumi.prod.yaml); `npm start` shows the same plan offline.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  Alarms,
  BucketEvents,
  EncryptionKey,
  EventBucket,
  MetadataIndexHandler,
  QueueTarget,
  QueueConsumerHandler,
  ReplicationHandler,
  StateMachineTarget,
  ThumbnailHandler,
  TopicTarget,
  WebhookTarget,
  Subscription,
} from "./components";
import { readStackConfig } from "./stackConfig";

const cfg = readStackConfig(new pulumi.Config());
const prod = cfg.environment === "prod";

// Stateful resources: prod keeps versions, uses customer-managed keys and is protected.
const key = prod ? new EncryptionKey("data", { protect: true }) : undefined;
const stateful = { kmsKey: key, versioning: prod, forceDestroy: !prod, protect: prod };
const handlerSettings = {
  architecture: cfg.lambdaArchitecture,
  logRetentionDays: cfg.logRetentionDays,
  idempotency: true,
  protect: prod,
};

const uploads = new EventBucket("uploads", stateful);
const replica = new EventBucket("replica", stateful);

// Image uploads → thumbnails (written under thumbnails/, outside the routes' filters).
const thumbnails = new ThumbnailHandler("thumbnails", {
  ...handlerSettings,
  destination: { bucket: uploads, prefix: "thumbnails/" },
  sizes: cfg.thumbnailSizes,
  format: cfg.thumbnailFormat,
});
// Uploads → metadata and search index.
const searchIndex = new MetadataIndexHandler("search-index", handlerSettings);
// Exports → replication to the replica bucket, deletes included.
const replicator = new ReplicationHandler("replicator", {
  ...handlerSettings,
  destination: { bucket: replica, prefix: "exports/" },
});
// Shared files → an activity topic fanned out to email, SMS and a queue analysed in batches.
const analyst = new QueueConsumerHandler("analysis-consumer", handlerSettings);
const analysis = new QueueTarget("analysis", {
  consumer: { function: analyst.target },
  kmsKey: key,
  protect: prod,
});
const activitySubscribers: Subscription[] = [
  { protocol: "email", endpoint: cfg.activityEmail },
  ...(cfg.activitySms ? [{ protocol: "sms" as const, endpoint: cfg.activitySms }] : []),
  { protocol: "sqs", queue: analysis },
];
const activity = new TopicTarget("activity", {
  encryption: key ?? "none",
  subscriptions: activitySubscribers,
  protect: prod,
});
// PDFs → a Step Functions workflow: metadata, branch on content type, index, record.
const invoices = new StateMachineTarget("invoices", {
  workflow: { processor: searchIndex.target, contentTypes: ["application/pdf"] },
  logRetentionDays: cfg.logRetentionDays,
});
// The workflow's processor reads the PDFs it is handed.
searchIndex.target.grant(
  {
    Sid: "ReadInvoices",
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:GetObjectVersion"],
    Resource: pulumi.interpolate`${uploads.arn}/invoices/*`,
  },
  "index.ts",
);
// Created objects → the partner's webhook.
const partner = cfg.partnerWebhookUrl
  ? new WebhookTarget("partner", {
      endpoint: cfg.partnerWebhookUrl,
      auth: { type: "apiKey", header: "x-api-key", value: cfg.partnerApiKey! },
      rateLimitPerSecond: 20,
    })
  : undefined;

uploads.addRoute({
  name: "thumbnails-jpg",
  events: ["created"],
  filter: { prefix: "images/", suffix: ".jpg" },
  target: thumbnails.target,
});
uploads.addRoute({
  name: "thumbnails-png",
  events: ["created"],
  filter: { prefix: "images/", suffix: ".png" },
  target: thumbnails.target,
});
uploads.addRoute({
  name: "search-index",
  events: ["created", "removed"],
  filter: { prefix: "docs/" },
  target: searchIndex.target,
});
uploads.addRoute({
  name: "activity",
  events: ["created", "removed"],
  filter: { prefix: "shared/" },
  target: activity,
});
uploads.addRoute({
  name: "replicate",
  events: ["created", "removed"],
  filter: { prefix: "exports/" },
  target: replicator.target,
});
uploads.addRoute({
  name: "invoices",
  events: ["created"],
  filter: { prefix: "invoices/", suffix: ".pdf" },
  target: invoices,
});
if (partner) uploads.addRoute({ name: "partner", events: ["created"], target: partner });

// Alarms (and bucket alerts) go to one topic: failures, and events that wait too long.
const alarms = new Alarms("alarms", {
  emails: [cfg.alertEmail],
  encryption: key ?? "none",
  waiting: { lagSeconds: cfg.lagAlarmSeconds, queueAgeSeconds: cfg.queueAgeAlarmSeconds },
});
// Bucket creation and deletion → an alert.
const bucketEvents = new BucketEvents("bucket-lifecycle", {
  routes: [
    {
      name: "created-deleted",
      calls: ["created", "deleted"],
      buckets: cfg.watchBucketPrefix ? { namePrefix: cfg.watchBucketPrefix } : "any",
      target: alarms.topic,
    },
  ],
  logRetentionDays: cfg.logRetentionDays,
  forceDestroy: !prod,
  protect: prod,
});
alarms.watch({
  sources: [uploads, bucketEvents],
  targets: [
    thumbnails.target,
    searchIndex.target,
    replicator.target,
    analyst.target,
    analysis,
    activity,
    invoices,
    ...(partner ? [partner] : []),
  ],
});

export const uploadsBucket = uploads.bucketName;
export const replicaBucket = replica.bucketName;
export const activityTopicArn = activity.arn;
export const analysisQueueArn = analysis.arn;
export const alarmTopicArn = alarms.topic.arn;
export const partnerWebhook = partner ? partner.destination.invocationEndpoint : "none";
export const searchIndexTable = searchIndex.indexTable!.name;
export const routeTable = uploads.routeTable;
