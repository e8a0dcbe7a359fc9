/**
 * A user's own project, as `pulumi new aws-typescript` lays it out, with s3-event-routes added: new
 * photos under a configured prefix go to a queue drained by the packaged consumer; deletions are
 * POSTed to a partner's endpoint with an API key kept as a secret.
 *
 * Configuration (Pulumi.dev.yaml): `uploadPrefix`, `partnerUrl`, `partnerApiKey` (secret).
 */
import * as pulumi from "@pulumi/pulumi";
import { EventBucket, QueueTarget, WebhookTarget, QueueConsumerHandler } from "s3-event-routes";

const config = new pulumi.Config();
const prefix = config.get("uploadPrefix") ?? "uploads/";

const consumer = new QueueConsumerHandler("ingest-consumer");
const ingest = new QueueTarget("ingest", { consumer: { function: consumer.target } });

const partner = new WebhookTarget("partner", {
  endpoint: config.require("partnerUrl"),
  auth: { type: "apiKey", header: "x-api-key", value: config.requireSecret("partnerApiKey") },
});

const photos = new EventBucket("photos", {
  routes: [
    { name: "ingest", events: ["created"], filter: { prefix }, target: ingest },
    { name: "partner", events: ["removed"], filter: { prefix }, target: partner },
  ],
});

export const bucketName = photos.bucketName;
export const queueUrl = ingest.url;
