/**
 * One stack, written twice: as the plain data a Python or YAML program hands `EventRouter` (in
 * Pulumi's wire form, as `Construct` receives it), and as the TypeScript program that builds the
 * same thing with the components directly. The provider tests compare the two.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  EventBucket,
  LambdaTarget,
  QueueTarget,
  StateMachineTarget,
  TopicTarget,
  WebhookTarget,
} from "../../components";
import { archive, secretOutput } from "./testEngine";

/** The handler every function of the stack deploys. */
export const HANDLER_SOURCE = "exports.handler = async () => {};";
/** The state machine's definition. */
export const DEFINITION = JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Succeed" } } });
/** The webhook's API key. */
export const API_KEY = "k-123-secret";

/** The router's inputs in wire form: what `Construct` receives from a Python or YAML program. */
export function routerInputs(): Record<string, unknown> {
  const code = archive({ "index.js": HANDLER_SOURCE });
  return {
    bucketName: "uploads-bucket",
    targets: [
      {
        name: "thumbnails",
        kind: "lambda",
        lambda: {
          code,
          timeoutSeconds: 20,
          writes: [{ bucketName: "uploads-bucket", prefix: "thumbnails/" }],
        },
      },
      { name: "indexer", kind: "lambda", lambda: { code, memorySize: 512 } },
      { name: "work", kind: "queue", queue: { consumer: "indexer", batchSize: 5 } },
      {
        name: "activity",
        kind: "topic",
        topic: { encryption: "none", subscriptions: [{ protocol: "sqs", target: "work" }] },
      },
      { name: "invoices", kind: "stateMachine", stateMachine: { definition: DEFINITION } },
      {
        name: "partner",
        kind: "webhook",
        webhook: {
          endpoint: "https://partner.example.com/hooks/s3",
          auth: { type: "apiKey", header: "x-api-key", secret: secretOutput(API_KEY) },
        },
      },
    ],
    routes: [
      { name: "thumbs", events: ["created"], prefix: "images/", suffix: ".jpg", target: "thumbnails" },
      { name: "docs", events: ["created", "removed"], prefix: "docs/", target: "work" },
      { name: "shared", events: ["created"], prefix: "shared/", target: "activity" },
      { name: "invoices", events: ["created"], prefix: "invoices/", suffix: ".pdf", target: "invoices" },
      { name: "partner", events: ["created"], target: "partner" },
    ],
  };
}

/** The same stack written with the components, as a TypeScript program would. */
export function componentsProgram(): void {
  const code = {
    code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(HANDLER_SOURCE) }),
    handler: "index.handler",
  };
  const thumbnails = new LambdaTarget("uploads-thumbnails", {
    code,
    timeoutSeconds: 20,
    writes: [{ bucket: "uploads-bucket", filter: { prefix: "thumbnails/" } }],
  });
  const indexer = new LambdaTarget("uploads-indexer", { code, memorySize: 512 });
  const work = new QueueTarget("uploads-work", { consumer: { function: indexer, batchSize: 5 } });
  const activity = new TopicTarget("uploads-activity", {
    encryption: "none",
    subscriptions: [{ protocol: "sqs", queue: work }],
  });
  const invoices = new StateMachineTarget("uploads-invoices", { definition: DEFINITION });
  const partner = new WebhookTarget("uploads-partner", {
    endpoint: "https://partner.example.com/hooks/s3",
    auth: { type: "apiKey", header: "x-api-key", value: pulumi.secret(API_KEY) },
  });
  new EventBucket("uploads", {
    bucketName: "uploads-bucket",
    routes: [
      {
        name: "thumbs",
        events: ["created"],
        filter: { prefix: "images/", suffix: ".jpg" },
        target: thumbnails,
      },
      { name: "docs", events: ["created", "removed"], filter: { prefix: "docs/" }, target: work },
      { name: "shared", events: ["created"], filter: { prefix: "shared/" }, target: activity },
      {
        name: "invoices",
        events: ["created"],
        filter: { prefix: "invoices/", suffix: ".pdf" },
        target: invoices,
      },
      { name: "partner", events: ["created"], target: partner },
    ],
  });
}
