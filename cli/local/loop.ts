/**
 * The local event loop: a real S3-compatible server (s3rver) on 127.0.0.1 holding the stack's
 * buckets, and every object event it reports delivered along the stack's routes to the real
 * handlers, in-process — native routes with S3's envelope, SNS fan-out to its subscribers, SQS
 * batches through the event source mapping, EventBridge rules with their patterns and input
 * transformers, the Step Functions workflow state by state, the webhook to a local receiver.
 * Bucket creation and deletion are reported as CloudTrail would, to the rules that watch them.
 *
 * This module runs the servers and routes each object event; what happens at each destination is
 * in destinations/ — one module per kind (lambda, sns, sqs, stepFunctions, webhook), all behind
 * one `deliver(arn, delivery)` (destinations/delivery.ts), with EventBridge's rules and the
 * CloudTrail bucket calls beside them.
 *
 * Handlers reach s3rver through AWS_ENDPOINT_URL_S3 (the SDK addresses an IP endpoint path-style);
 * DynamoDB is answered in memory (handlers/testing/memoryTables); every other AWS endpoint points
 * at a closed loopback port, so nothing leaves the machine.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { S3rverEvent } from "s3rver";
import {
  MemoryIdempotencyTable,
  memoryIdempotencyTable,
  MemoryIndexTable,
  memoryIndexTable,
} from "../../handlers/testing/memoryTables";
import { S3Harness, S3RVER_CREDENTIALS, startS3rver } from "../../handlers/testing/s3rverHarness";
import { explain, PlanRoute } from "../planReport";
import { BucketCalls } from "./destinations/bucketCalls";
import { destinationOf, Destinations, LoopContext, LoopRecord } from "./destinations/delivery";
import { EventBridgeRules } from "./destinations/eventBridge";
import { LambdaDestination } from "./destinations/lambda";
import { SnsDestination } from "./destinations/sns";
import { SqsDestination } from "./destinations/sqs";
import { StepFunctionsDestination } from "./destinations/stepFunctions";
import { WebhookDestination } from "./destinations/webhook";
import {
  changeFromS3rver,
  encodeNotificationKey,
  eventBridgeObjectEvent,
  ObjectChange,
  QueueMessage,
  s3Notification,
  sequencerSource,
} from "./envelopes";
import { LocalFunctions } from "./functions";
import { LocalSummary, plural, summaryLines } from "./report";
import { evaluateStack } from "./stack";
import type { LocalQueue, Topology } from "./topology";
import { PendingWork } from "./work";

/** How the loop runs. */
export interface LocalLoopOptions {
  /** The project directory (Pulumi.yaml, index.ts, handlers/). */
  root: string;
  /** The stack whose configuration is used. */
  stack: string;
  /** s3rver's port on 127.0.0.1 (0: a free one). */
  port: number;
  /** The webhook receiver's port on 127.0.0.1 (0: a free one). */
  webhookPort: number;
  /** Where s3rver keeps the buckets, kept after the loop stops; default a temporary directory, removed. */
  directory?: string;
  /** How long a failed SQS message stays invisible (AWS: the queue's visibility timeout). */
  redeliveryMs: number;
  /** The pause before a retry (AWS: Lambda async retries after 1 and 2 minutes; EventBridge with back-off). */
  retryDelayMs: number;
  /** Show the handlers' own INFO logs (default: warnings and errors only). */
  handlerLogs: boolean;
  /** Where lines go. */
  print: (line: string) => void;
}

/** The running loop. */
export class LocalLoop {
  private readonly work = new PendingWork();
  private readonly sequencer = sequencerSource();
  private readonly functions: LocalFunctions;
  /** Every destination, by kind (cli/local/destinations/). */
  private readonly to = {} as Destinations;
  private readonly bucketCalls: BucketCalls;
  private s3!: S3Harness;
  private index!: MemoryIndexTable;
  private idempotency!: MemoryIdempotencyTable;
  private eventCount = 0;
  private stopped = false;
  private readonly record: LoopRecord = {
    events: [],
    bucketCalls: [],
    invocations: [],
    notifications: [],
    executions: [],
    failures: [],
  };

  private constructor(
    private readonly options: LocalLoopOptions,
    /** The stack's topology. */
    readonly topology: Topology,
    /** Notes about the stack's configuration offline. */
    readonly notes: readonly string[],
  ) {
    this.functions = new LocalFunctions(options.root, topology.functions);
    const ctx: LoopContext = {
      topology,
      functions: this.functions,
      record: this.record,
      retryDelayMs: options.retryDelayMs,
      s3: () => this.s3.client,
      say: (tag, text) => this.say(tag, text),
      fail: (tag, text) => this.fail(tag, text),
    };
    const to = this.to;
    to.lambda = new LambdaDestination(ctx, to);
    to.sns = new SnsDestination(ctx, to);
    to.sqs = new SqsDestination(ctx, to, this.work, options.redeliveryMs);
    to.stepFunctions = new StepFunctionsDestination(ctx, to);
    to.webhook = new WebhookDestination(ctx, to);
    to.eventBridge = new EventBridgeRules(ctx, to);
    this.bucketCalls = new BucketCalls(ctx, to, this.work);
  }

  /**
   * Evaluates the stack under mocks, starts s3rver with its buckets and the webhook receiver, and
   * starts delivering.
   *
   * @throws Error when the stack fails or a port is taken.
   */
  static async start(options: LocalLoopOptions): Promise<LocalLoop> {
    const { files, topology } = await evaluateStack(options.root, options.stack);
    const loop = new LocalLoop(options, topology, files.notes);
    await loop.open();
    return loop;
  }

  /** s3rver's endpoint, `http://127.0.0.1:<port>`. */
  get endpoint(): string {
    return this.s3.endpoint;
  }

  /** A client for s3rver (path-style, s3rver's credentials). */
  get client(): S3Client {
    return this.s3.client;
  }

  /** The webhook receiver's base URL. */
  get webhookUrl(): string {
    return this.to.webhook.running.url;
  }

  /** The directory s3rver keeps the buckets in. */
  get directory(): string {
    return this.s3.directory;
  }

  private async open(): Promise<void> {
    try {
      this.s3 = await startS3rver(this.topology.buckets, {
        port: this.options.port,
        directory: this.options.directory,
      });
    } catch (e) {
      const error = e as NodeJS.ErrnoException;
      if (error.code === "EADDRINUSE") {
        throw new Error(`Port ${this.options.port} on 127.0.0.1 is taken: pick another with --port <n>.`);
      }
      throw e;
    }
    try {
      const region = this.topology.region;
      // Read by every SDK client the handlers create (lazily, at their first call).
      Object.assign(process.env, {
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_S3: this.s3.endpoint,
        // Any other service: a closed loopback port, so an unanswered call fails here, never reaches AWS.
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
        AWS_EC2_METADATA_DISABLED: "true",
        POWERTOOLS_LOG_LEVEL: this.options.handlerLogs ? "INFO" : "WARN",
        // The handlers' delivery-lag metric (EMF on stdout) is printed per delivery instead.
        POWERTOOLS_METRICS_DISABLED: this.options.handlerLogs ? "false" : "true",
      });
      delete process.env.AWS_SESSION_TOKEN;
      delete process.env.AWS_PROFILE;
      this.index = memoryIndexTable(DynamoDBDocumentClient);
      this.idempotency = memoryIdempotencyTable(DynamoDBClient);
      // Cold starts up front: configuration errors surface now, and no delivery waits on a module load.
      for (const fn of this.topology.functions) if (fn.handler) this.functions.load(fn);
      await this.to.webhook.listen(this.options.webhookPort);
    } catch (e) {
      await this.s3.stop(); // nothing left listening when a handler fails its cold start
      throw e;
    }
    this.s3.server.on("event", this.onEvent);
    this.s3.server.httpServer?.on("request", this.bucketCalls.onRequest);
  }

  /** Prints a line, tagged with the event it belongs to. */
  private say(tag: string | undefined, text: string): void {
    if (this.stopped) return;
    this.options.print(`${(tag ?? "").padEnd(4)} ${text}`);
  }

  private fail(tag: string | undefined, text: string): void {
    this.record.failures.push(`${tag ?? ""} ${text}`.trim());
    this.say(tag, `  FAILED: ${text}`);
  }

  /** Marks a message id as expected to fail (the demo's poison message). */
  expectFailure(messageId: string): void {
    this.to.sqs.expectFailure(messageId);
  }

  /** Resolves when every delivery has settled. */
  settled(): Promise<void> {
    return this.work.settled();
  }

  /** Deliveries in flight. */
  get pending(): number {
    return this.work.pending;
  }

  private readonly onEvent = (event: S3rverEvent): void => {
    for (const raw of event.Records) {
      const change = changeFromS3rver(raw, this.sequencer(), this.topology.region);
      const n = ++this.eventCount;
      this.record.events.push({
        n,
        bucket: change.bucket,
        key: change.key,
        eventName: change.eventName,
        sequencer: change.sequencer,
      });
      void this.work
        .track(async () => {
          await new Promise((resolve) => setImmediate(resolve)); // s3rver answers the request first
          await this.routeObject(`#${n}`, change);
        })
        .catch((e: unknown) => this.fail(`#${n}`, `routing failed: ${(e as Error).message}`));
    }
  };

  /** An object event: to each native route it reaches, and to EventBridge's rules when the bucket sends there. */
  private async routeObject(tag: string, change: ObjectChange): Promise<void> {
    const size = change.size !== undefined ? ` (${plural(change.size, "byte")})` : "";
    this.say(tag, `${change.bucket}: s3:${change.eventName} "${change.key}"${size}`);
    const deliveries: Promise<unknown>[] = [];
    let onBucket = true;
    try {
      const verdicts = explain(this.topology.routes, change.bucket, change.key, `s3:${change.eventName}`);
      for (const v of verdicts) {
        if (v.reaches && v.route.delivery === "native")
          deliveries.push(this.deliverNative(tag, change, v.route));
      }
    } catch {
      onBucket = false; // no routes on this bucket
    }
    if (this.topology.eventBridgeBuckets.has(change.bucket)) {
      const event = eventBridgeObjectEvent(change, this.topology.accountId);
      for (const rule of event ? this.to.eventBridge.matching(event) : []) {
        deliveries.push(this.to.eventBridge.deliver(tag, rule, event!));
      }
    }
    if (deliveries.length === 0) {
      this.say(tag, `  reaches no route${onBucket ? "" : ` (bucket ${change.bucket} has none)`}`);
    }
    await Promise.all(deliveries);
  }

  /** A native notification entry: S3's own envelope to its Lambda function, topic or queue. */
  private async deliverNative(tag: string, change: ObjectChange, route: PlanRoute): Promise<void> {
    const via = `route ${route.route}`;
    const arn = this.topology.nativeDestinations.get(`${change.bucket}/${route.route}`);
    if (!arn) return this.fail(tag, `${via}: no entry with this Id in the bucket's notification`);
    const destination = destinationOf(this.to, arn);
    if (!destination) return this.fail(tag, `${via}: destination ${arn} is not simulated locally`);
    await destination.deliver(arn, {
      tag,
      via,
      shape: `native: S3 event, key "${encodeNotificationKey(change.key)}"`,
      body: JSON.stringify(s3Notification(change, route.route)),
      subject: "Amazon S3 Notification",
    });
  }

  /**
   * Sends a message straight to a queue (as `aws sqs send-message` would).
   *
   * @param queue - the queue.
   * @param body - the body.
   * @param tag - the tag its lines carry.
   */
  sendToQueue(queue: LocalQueue, body: string, tag: string): QueueMessage {
    return this.to.sqs.send(queue, body, tag);
  }

  /** What happened so far. */
  summary(): LocalSummary {
    const tables: Record<string, Record<string, unknown>[]> = {};
    const indexTable = this.topology.functions.find((f) => f.handler === "metadata")?.environment.TABLE_NAME;
    tables[indexTable ?? "metadata index"] = [...this.index.items.values()];
    for (const [name, items] of this.to.stepFunctions.tables) tables[name] = [...items.values()];
    const receiver = this.to.webhook.running;
    return {
      endpoint: this.s3.endpoint,
      webhookReceiver: receiver.url,
      buckets: this.topology.buckets,
      ...this.record,
      webhooks: receiver.received,
      queues: this.topology.queues.map((q) => ({
        name: q.name,
        processed: [...this.to.sqs.queues.processed(q)],
        stored: [...this.to.sqs.queues.stored(q)],
      })),
      tables,
      idempotencyRecords: this.idempotency.items.size,
    };
  }

  /** The summary, as lines. */
  summaryLines(): string[] {
    return summaryLines(this.summary());
  }

  /** Stops delivering and closes s3rver and the receiver (their sockets included). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.to.sqs.queues.close();
    this.s3.server.off("event", this.onEvent);
    this.s3.server.httpServer?.off("request", this.bucketCalls.onRequest);
    this.stopped = true;
    const closing = this.s3.stop();
    this.s3.server.httpServer?.closeAllConnections();
    await Promise.all([closing, this.to.webhook.running.close()]);
    this.index.restore();
    this.idempotency.restore();
  }
}
