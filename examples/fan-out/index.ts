/**
 * One bucket, three consumers, each on the delivery path AWS allows for it:
 * - new objects under `incoming/` go to a queue (native S3 notification) drained by the packaged
 *   queue consumer, with partial batch failures and a dead-letter queue;
 * - new CSV files under `incoming/` are POSTed to a partner's HTTPS endpoint (EventBridge API
 *   destination; S3 cannot call a URL itself), authenticated with an API key kept as a secret;
 * - deleted objects start a review workflow (Step Functions, also through EventBridge).
 *
 * Configuration: `partnerUrl` (https://...) and `partnerApiKey` (`pulumi config set --secret`).
 */
import * as pulumi from "@pulumi/pulumi";
import {
  EventBucket,
  QueueTarget,
  StateMachineTarget,
  WebhookTarget,
  QueueConsumerHandler,
} from "s3-event-routes";

const config = new pulumi.Config();

const consumer = new QueueConsumerHandler("analysis-consumer");
const analysis = new QueueTarget("analysis", { consumer: { function: consumer.target, batchSize: 10 } });

const partner = new WebhookTarget("partner", {
  endpoint: config.require("partnerUrl"),
  auth: { type: "apiKey", header: "x-api-key", value: config.requireSecret("partnerApiKey") },
});

const review = new StateMachineTarget("review", {
  definition: {
    Comment: "Records that an object was deleted; replace with your own review steps.",
    StartAt: "Recorded",
    States: { Recorded: { Type: "Pass", End: true } },
  },
});

const uploads = new EventBucket("uploads", {
  routes: [
    { name: "analysis", events: ["created"], filter: { prefix: "incoming/" }, target: analysis },
    {
      name: "partner",
      events: ["created"],
      filter: { prefix: "incoming/", suffix: ".csv" },
      target: partner,
    },
    { name: "review", events: ["removed"], target: review },
  ],
});

export const bucketName = uploads.bucketName;
export const queueUrl = analysis.url;
export const routes = uploads.routeTable;
