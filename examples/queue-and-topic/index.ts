/**
 * A bucket whose new orders go to a queue that another system drains, and whose deletions alert a
 * topic's email subscriber. No reference handler, so nothing is bundled when the program runs: the
 * project installs only `@pulumi/pulumi`, `@pulumi/aws` and `s3-event-routes` (no esbuild, sharp,
 * Powertools).
 *
 * Configuration: `alertEmail` (the address deletions are reported to).
 */
import * as pulumi from "@pulumi/pulumi";
import { EventBucket, QueueTarget, TopicTarget } from "s3-event-routes";

const config = new pulumi.Config();

const orders = new QueueTarget("orders", { consumerTimeoutSeconds: 60 });
const deletions = new TopicTarget("deletions", {
  subscriptions: [{ protocol: "email", endpoint: config.require("alertEmail") }],
});

const bucket = new EventBucket("orders", {
  routes: [
    {
      name: "new-orders",
      events: ["s3:ObjectCreated:Put"],
      filter: { prefix: "orders/", suffix: ".json" },
      target: orders,
    },
    { name: "deletions", events: ["removed"], target: deletions },
  ],
});

export const bucketName = bucket.bucketName;
export const queueUrl = orders.url;
export const topicArn = deletions.arn;
