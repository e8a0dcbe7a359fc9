/**
 * The local event loop: a real S3-compatible server (s3rver) on 127.0.0.1 holding the stack's
 * buckets, and every object event it reports delivered along the stack's routes to the real
 * handlers, in-process — native routes with S3's envelope, SNS fan-out to its subscribers, SQS
 * batches through the event source mapping, EventBridge rules with their patterns and input
 * transformers, the Step Functions workflow state by state, the webhook to a local receiver.
 * Bucket creation and deletion are reported as CloudTrail would, to the rules that watch them.
 *
 * Handlers reach s3rver through AWS_ENDPOINT_URL_S3 (the SDK addresses an IP endpoint path-style);
 * DynamoDB is answered in memory (handlers/testing/memoryTables); every other AWS endpoint points
 * at a closed loopback port, so nothing leaves the machine.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { HeadObjectCommand, HeadObjectCommandInput, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { S3rverEvent } from "s3rver";
import { matchesPattern } from "../../model/eventPattern";
import { applyInputTransformer } from "../../model/inputTransformer";
import {
  MemoryIdempotencyTable,
  memoryIdempotencyTable,
  MemoryIndexTable,
  memoryIndexTable,
} from "../../handlers/testing/memoryTables";
import { S3Harness, S3RVER_CREDENTIALS, startS3rver } from "../../handlers/testing/s3rverHarness";
import { explain, PlanRoute } from "../planReport";
import {
  BucketCall,
  changeFromS3rver,
  cloudTrailBucketEvent,
  encodeNotificationKey,
  EventBridgeEvent,
  eventBridgeObjectEvent,
  ObjectChange,
  QueueMessage,
  s3Notification,
  sequencerSource,
  snsLambdaEvent,
  snsNotification,
} from "./envelopes";
import { LocalFunctions } from "./functions";
import { LocalQueues } from "./queues";
import {
  describeLag,
  describeResult,
  lagsAt,
  LocalSummary,
  plural,
  readEnvelope,
  short,
  summaryLines,
} from "./report";
import { evaluateStack } from "./stack";
import { runExecution, StatesError } from "./stateMachine";
import type { LocalFunction, LocalQueue, LocalRule, LocalRuleTarget, LocalTopic, Topology } from "./topology";
import {
  callWebhook,
  deliverOnce,
  localEndpoint,
  ReceivedWebhook,
  startWebhookReceiver,
  WebhookReceiver,
} from "./webhook";
import { PendingWork, sleep } from "./work";

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
  private readonly queues: LocalQueues;
  private s3!: S3Harness;
  private receiver!: WebhookReceiver;
  private index!: MemoryIndexTable;
  private idempotency!: MemoryIdempotencyTable;
  private readonly workflowTables = new Map<string, Map<string, Record<string, unknown>>>();
  private readonly payloadTags = new Map<string, string>();
  private readonly expectedFailures = new Set<string>();
  private eventCount = 0;
  private stopped = false;
  private readonly record: Omit<
    LocalSummary,
    "endpoint" | "webhookReceiver" | "buckets" | "queues" | "tables" | "idempotencyRecords" | "webhooks"
  > = {
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
    this.queues = new LocalQueues(
      topology.queues,
      {
        consume: (queue, event, batch) => this.consume(queue, event, batch),
        stored: (queue, message, from) => this.stored(queue, message, from),
        deadLettered: (queue, message, target) => this.deadLettered(queue, message, target),
        redelivering: (queue, message) =>
          this.say(
            message.origin,
            `  queue "${queue.name}": message ${message.messageId} failed on receive ${message.receiveCount}` +
              (queue.redrive ? ` of ${queue.redrive.maxReceiveCount}` : "") +
              `; visible again in ${this.options.redeliveryMs} ms (AWS: after the ${queue.visibilityTimeoutSeconds} s visibility timeout)`,
          ),
      },
      this.work,
      options.redeliveryMs,
    );
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
    return this.receiver.url;
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
      this.receiver = await startWebhookReceiver(this.options.webhookPort, (r) => this.received(r));
    } catch (e) {
      await this.s3.stop(); // nothing left listening when a handler fails its cold start
      throw e;
    }
    this.s3.server.on("event", this.onEvent);
    this.s3.server.httpServer?.on("request", this.onRequest);
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
    this.expectedFailures.add(messageId);
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

  /** Bucket creation and deletion, as CloudTrail records them (path-style requests). */
  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const match = /^\/([^/?]+)\/?$/.exec(req.url ?? "");
    if (!match || (req.method !== "PUT" && req.method !== "DELETE")) return;
    const call: BucketCall = req.method === "PUT" ? "CreateBucket" : "DeleteBucket";
    const bucket = decodeURIComponent(match[1]);
    const done = this.work.begin();
    res.on("close", () => {
      const ok = res.writableFinished && res.statusCode === (call === "CreateBucket" ? 200 : 204);
      if (!ok) return done();
      void this.work
        .track(() => this.bucketCall(call, bucket, req.socket.remoteAddress ?? "127.0.0.1"))
        .catch((e: unknown) => this.fail("", `${call} ${bucket}: ${(e as Error).message}`))
        .finally(done);
    });
  };

  private async bucketCall(call: BucketCall, bucket: string, sourceIp: string): Promise<void> {
    this.record.bucketCalls.push({ call, bucket });
    const tag = `@${this.record.bucketCalls.length}`;
    const ip = sourceIp.replace(/^::ffff:/, "");
    const event = cloudTrailBucketEvent(call, bucket, this.topology.accountId, this.topology.region, ip);
    const rules = this.topology.rules.filter((r) => matchesPattern(r.pattern, event));
    this.say(tag, `${call} "${bucket}" (CloudTrail → EventBridge "AWS API Call via CloudTrail")`);
    if (rules.length === 0) this.say(tag, "  matches no rule");
    await Promise.all(rules.map((rule) => this.deliverRule(tag, rule, event)));
  }

  private async routeObject(tag: string, change: ObjectChange): Promise<void> {
    const size = change.size !== undefined ? ` (${plural(change.size, "byte")})` : "";
    this.say(tag, `${change.bucket}: s3:${change.eventName} "${change.key}"${size}`);
    const deliveries: Promise<void>[] = [];
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
      for (const rule of event ? this.topology.rules : []) {
        if (event && matchesPattern(rule.pattern, event)) deliveries.push(this.deliverRule(tag, rule, event));
      }
    }
    if (deliveries.length === 0) {
      this.say(tag, `  reaches no route${onBucket ? "" : ` (bucket ${change.bucket} has none)`}`);
    }
    await Promise.all(deliveries);
  }

  private topic(arn: string): LocalTopic | undefined {
    return this.topology.topics.find((t) => t.arn === arn);
  }

  private async deliverNative(tag: string, change: ObjectChange, route: PlanRoute): Promise<void> {
    const via = `route ${route.route}`;
    const arn = this.topology.nativeDestinations.get(`${change.bucket}/${route.route}`);
    if (!arn) return this.fail(tag, `${via}: no entry with this Id in the bucket's notification`);
    const event = s3Notification(change, route.route);
    const encoded = encodeNotificationKey(change.key);
    const envelope = `S3 event, key "${encoded}"`;
    const fn = this.functions.find(arn);
    if (fn) {
      this.say(tag, `  ${via} → ${LocalFunctions.label(fn)} (native: ${envelope})`);
      return this.invokeAsync(tag, fn, event, via);
    }
    const topic = this.topic(arn);
    if (topic) {
      this.say(tag, `  ${via} → sns "${topic.name}" (native: ${envelope}, published as the message)`);
      await this.publish(tag, topic, JSON.stringify(event), "Amazon S3 Notification");
      return;
    }
    const queue = this.queues.find(arn);
    if (queue) {
      this.say(tag, `  ${via} → sqs "${queue.name}" (native: ${envelope}, as the message body)`);
      this.queues.send(queue, JSON.stringify(event), tag);
      return;
    }
    this.fail(tag, `${via}: destination ${arn} is not simulated locally`);
  }

  /** A synchronous invocation, recorded and printed. */
  private async invoke(
    tag: string | undefined,
    fn: LocalFunction,
    event: unknown,
    trigger: string,
    attempt: number,
  ): Promise<unknown> {
    const { envelope, objects, messages, eventTimes } = readEnvelope(event);
    const label = LocalFunctions.label(fn);
    const lagMs = lagsAt(eventTimes, Date.now());
    const base = {
      function: label,
      trigger,
      envelope,
      objects,
      ...(messages ? { messages } : {}),
      attempt,
      lagMs,
    };
    const lag = lagMs.length ? ` [${describeLag(lagMs)}]` : "";
    try {
      const result = await this.functions.invoke(fn, event);
      this.record.invocations.push({ ...base, ok: true, result });
      this.say(tag, `  ${label}: ${describeResult(result)}${lag}`);
      return result;
    } catch (e) {
      const error = e as Error;
      this.record.invocations.push({ ...base, ok: false, error: `${error.name}: ${error.message}` });
      this.say(tag, `  ${label}: threw ${error.name}: ${short(error.message, 300)}${lag}`);
      throw e;
    }
  }

  /** An asynchronous invocation (S3, SNS, EventBridge): retried, then the on-failure destination. */
  private async invokeAsync(tag: string, fn: LocalFunction, event: unknown, trigger: string): Promise<void> {
    const attempts = 1 + fn.maximumRetryAttempts;
    const label = LocalFunctions.label(fn);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.invoke(tag, fn, event, trigger, attempt);
        return;
      } catch (e) {
        if (attempt < attempts) {
          this.say(
            tag,
            `  ${label}: Lambda retries the asynchronous invocation (attempt ${attempt + 1} of ${attempts}; ` +
              `AWS waits 1-2 minutes, here ${this.options.retryDelayMs} ms)`,
          );
          await sleep(this.options.retryDelayMs);
          continue;
        }
        const error = e as Error;
        const failure = {
          version: "1.0",
          timestamp: new Date().toISOString(),
          requestContext: {
            requestId: randomUUID(),
            functionArn: `${fn.arn}:$LATEST`,
            condition: "RetriesExhausted",
            approximateInvokeCount: attempts,
          },
          requestPayload: event,
          responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
          responsePayload: { errorType: error.name, errorMessage: error.message },
        };
        const destination = fn.onFailure ? this.queues.find(fn.onFailure) : undefined;
        if (destination) this.queues.send(destination, JSON.stringify(failure), tag);
        this.fail(
          tag,
          `${label} failed ${attempts} times (${error.name}: ${short(error.message, 200)})` +
            (fn.onFailure
              ? `; the invocation record went to its on-failure destination ${destination?.name ?? fn.onFailure}`
              : ""),
        );
        return;
      }
    }
  }

  /** Publishes to a topic: each subscription gets what SNS would send it. */
  private async publish(tag: string, topic: LocalTopic, message: string, subject?: string): Promise<string> {
    const notification = snsNotification(topic.arn, message, subject);
    const label = `sns "${topic.name}"`;
    const deliveries: Promise<void>[] = [];
    if (topic.subscriptions.length === 0) this.say(tag, `  ${label}: no subscriptions`);
    for (const sub of topic.subscriptions) {
      switch (sub.protocol) {
        case "email":
        case "email-json": {
          const body = sub.protocol === "email" ? message : JSON.stringify(notification, null, 2);
          const mailSubject = subject ?? "AWS Notification Message";
          this.record.notifications.push({
            topic: label,
            protocol: sub.protocol,
            endpoint: sub.endpoint,
            subject: mailSubject,
            body,
          });
          this.say(
            tag,
            `  ${label} → ${sub.protocol} to ${sub.endpoint} (printed, not sent): subject "${mailSubject}", ` +
              `${body.length} characters: ${short(body.replace(/\s+/g, " "), 120)}`,
          );
          break;
        }
        case "sms":
          this.record.notifications.push({
            topic: label,
            protocol: "sms",
            endpoint: sub.endpoint,
            body: message,
          });
          this.say(tag, `  ${label} → SMS to ${sub.endpoint} (printed, not sent): ${short(message, 120)}`);
          break;
        case "sqs": {
          const queue = this.queues.find(sub.endpoint);
          if (!queue) {
            this.fail(tag, `${label} → sqs ${sub.endpoint}: no such queue in the stack`);
            break;
          }
          const body = sub.raw ? message : JSON.stringify(notification, null, 2);
          this.say(
            tag,
            `  ${label} → sqs "${queue.name}" (${sub.raw ? "raw message delivery: the message itself" : "SNS notification as the body"})`,
          );
          this.queues.send(queue, body, tag);
          break;
        }
        case "lambda": {
          const fn = this.functions.find(sub.endpoint);
          if (!fn) {
            this.fail(tag, `${label} → lambda ${sub.endpoint}: no such function in the stack`);
            break;
          }
          this.say(tag, `  ${label} → ${LocalFunctions.label(fn)} (SNS event)`);
          deliveries.push(
            this.invokeAsync(tag, fn, snsLambdaEvent(notification, `${topic.arn}:${sub.name}`), label),
          );
          break;
        }
        default:
          this.say(tag, `  ${label} → ${sub.protocol} ${sub.endpoint}: not delivered locally`);
      }
    }
    await Promise.all(deliveries);
    return notification.MessageId;
  }

  private async deliverRule(tag: string, rule: LocalRule, event: EventBridgeEvent): Promise<void> {
    const route = this.topology.routes.find(
      (r) => r.delivery === "eventbridge" && `${r.bucket}-${r.route}` === rule.name,
    );
    const via = route ? `route ${route.route}` : `rule ${rule.name}`;
    await Promise.all(
      rule.targets.map((target) => this.deliverRuleTarget(tag, via, route, rule, target, event)),
    );
  }

  private async deliverRuleTarget(
    tag: string,
    via: string,
    route: PlanRoute | undefined,
    rule: LocalRule,
    target: LocalRuleTarget,
    event: EventBridgeEvent,
  ): Promise<void> {
    const input = target.inputTransformer
      ? applyInputTransformer(target.inputTransformer, event)
      : JSON.stringify(event);
    const shape = `EventBridge "${event["detail-type"]}", rule ${rule.name}${target.inputTransformer ? ", input transformer" : ""}`;
    const machine = this.topology.stateMachines.find((m) => m.arn === target.arn);
    if (machine) {
      const label = route?.target ?? `sfn "${machine.name}"`;
      this.say(tag, `  ${via} → ${label} (${shape})`);
      return this.runWorkflow(tag, label, machine.arn, machine.definition, JSON.parse(input) as unknown);
    }
    const destination = this.topology.apiDestinations.find((d) => d.arn === target.arn);
    if (destination) {
      const label = route?.target ?? `webhook "${destination.name}"`;
      this.say(tag, `  ${via} → ${label} (${shape})`);
      return this.callWebhook(
        tag,
        label,
        destination.endpoint,
        destination.method,
        destination.headers,
        input,
        target,
      );
    }
    const fn = this.functions.find(target.arn);
    if (fn) {
      this.say(tag, `  ${via} → ${LocalFunctions.label(fn)} (${shape})`);
      return this.invokeAsync(tag, fn, JSON.parse(input) as unknown, via);
    }
    const topic = this.topic(target.arn);
    if (topic) {
      this.say(tag, `  ${via} → sns "${topic.name}" (${shape}, published as the message)`);
      await this.publish(tag, topic, input);
      return;
    }
    const queue = this.queues.find(target.arn);
    if (queue) {
      this.say(tag, `  ${via} → sqs "${queue.name}" (${shape}, as the message body)`);
      this.queues.send(queue, input, tag);
      return;
    }
    this.fail(tag, `${via}: target ${target.arn} is not simulated locally`);
  }

  private async runWorkflow(
    tag: string,
    label: string,
    arn: string,
    definition: Record<string, unknown>,
    input: unknown,
  ): Promise<void> {
    const result = await runExecution(
      arn,
      definition,
      input,
      {
        awsSdk: async (service, action, parameters) => {
          if (service === "s3" && action === "headObject") {
            return this.s3.client.send(
              new HeadObjectCommand(parameters as unknown as HeadObjectCommandInput),
            );
          }
          throw new StatesError("States.Runtime", `aws-sdk:${service}:${action} is not simulated locally.`);
        },
        invokeFunction: async (name, payload) => {
          const fn = this.functions.find(name);
          if (!fn) throw new StatesError("Lambda.ResourceNotFoundException", `Function not found: ${name}`);
          return this.invoke(tag, fn, payload, label, 1);
        },
        putItem: async (table, item) => {
          const hashKey = this.topology.tables.find((t) => t.name === table)?.hashKey ?? "pk";
          const key = item[hashKey] as { S?: string; N?: string } | undefined;
          const id = key?.S ?? key?.N;
          if (id === undefined)
            throw new StatesError("DynamoDB.ValidationException", `The item has no ${hashKey}.`);
          const rows = this.workflowTables.get(table) ?? new Map<string, Record<string, unknown>>();
          this.workflowTables.set(table, rows.set(id, item));
        },
        publish: async (topicArn, message, subject) => {
          const topic = this.topic(topicArn);
          if (!topic) throw new StatesError("SNS.NotFoundException", `Topic does not exist: ${topicArn}`);
          this.say(tag, `  ${label} → sns "${topic.name}" (sns:publish, published as the message)`);
          return this.publish(tag, topic, message, subject);
        },
        sendMessage: async (queueUrl, body) => {
          const queue = this.topology.queues.find((q) => q.queueName === queueUrl.split("/").pop());
          if (!queue)
            throw new StatesError("SQS.QueueDoesNotExistException", `The queue ${queueUrl} does not exist.`);
          this.say(tag, `  ${label} → sqs "${queue.name}" (sqs:sendMessage, as the message body)`);
          return this.queues.send(queue, body, tag).messageId;
        },
      },
      (step) => this.say(tag, `    ${label} ${step.name} (${step.type}): ${short(step.note, 200)}`),
    );
    this.record.executions.push({
      stateMachine: label,
      executionArn: result.executionArn,
      input,
      status: result.status,
      steps: result.steps,
      ...(result.error ? { error: result.error } : {}),
    });
    if (result.status === "SUCCEEDED")
      this.say(tag, `  ${label}: execution ${result.executionArn.split(":").pop()} SUCCEEDED`);
    else
      this.fail(
        tag,
        `${label}: execution FAILED: ${result.error?.Error}: ${short(result.error?.Cause ?? "", 200)}`,
      );
  }

  private async callWebhook(
    tag: string,
    label: string,
    endpoint: string,
    method: string,
    headers: Record<string, string>,
    input: string,
    target: LocalRuleTarget,
  ): Promise<void> {
    const url = localEndpoint(endpoint, this.receiver.url);
    try {
      const id = (JSON.parse(input) as { id?: unknown }).id;
      if (typeof id === "string") this.payloadTags.set(id, tag);
    } catch {
      // not JSON: no id to follow
    }
    const { delivered } = await deliverOnce(
      // No client timeout: the receiver runs on this process's event loop, which under load can be busy
      // past API destinations' 5 s while the request has arrived; a retry then would deliver it twice.
      (extra) => callWebhook(url, method, { ...headers, ...extra }, input, 0),
      randomUUID(),
      (id) => this.receiver.hasDelivery(id),
      3,
      () => sleep(this.options.retryDelayMs),
      (response) =>
        this.say(
          tag,
          `  ${label}: ${method} ${url} (for ${endpoint}) → ${response.status || response.error}`,
        ),
    );
    if (delivered) return;
    const dlq = target.deadLetterArn ? this.queues.find(target.deadLetterArn) : undefined;
    if (dlq) this.queues.send(dlq, input, tag);
    this.fail(tag, `${label}: not delivered${dlq ? `; the event went to the target's DLQ ${dlq.name}` : ""}`);
  }

  private received(r: ReceivedWebhook): void {
    const body = r.body as Record<string, unknown>;
    const tag = typeof body?.id === "string" ? this.payloadTags.get(body.id) : undefined;
    const extra = Object.keys(r.headers).filter((h) => h.startsWith("x-") || h === "authorization");
    this.say(
      tag,
      `  webhook receiver: ${r.method} ${r.path}: payload id ${String(body?.id)}, "${String(body?.type)}" ` +
        `"${String(body?.key)}" (fields ${typeof body === "object" && body ? Object.keys(body).join(",") : "none"}` +
        `${extra.length ? `; headers ${extra.join(", ")}` : ""})`,
    );
  }

  private async consume(
    queue: LocalQueue,
    event: { Records: Record<string, unknown>[] },
    batch: QueueMessage[],
  ): Promise<{ failed: string[] }> {
    const consumer = queue.consumer!;
    const fn = this.functions.find(consumer.functionName);
    const tags = [...new Set(batch.map((m) => m.origin ?? "?"))];
    const tag = tags.join(",");
    if (!fn) {
      this.fail(tag, `queue "${queue.name}": its consumer ${consumer.functionName} is not in the stack`);
      throw new Error("no consumer");
    }
    this.say(
      tag,
      `  queue "${queue.name}" → ${LocalFunctions.label(fn)} (event source mapping: SQS event, batch of ${batch.length}, ` +
        `receive ${batch.map((m) => m.receiveCount).join(",")})`,
    );
    const attempt = Math.max(...batch.map((m) => m.receiveCount));
    const result = await this.invoke(tag, fn, event, `queue "${queue.name}"`, attempt);
    if (!consumer.reportBatchItemFailures) return { failed: [] };
    const reported = (
      (result as { batchItemFailures?: { itemIdentifier?: unknown }[] } | undefined)?.batchItemFailures ?? []
    ).map((f) => f.itemIdentifier);
    const ids = new Set(batch.map((m) => m.messageId));
    if (reported.some((id) => typeof id !== "string" || !ids.has(id))) {
      this.say(
        tag,
        `  queue "${queue.name}": batchItemFailures names a message not in the batch: the whole batch failed`,
      );
      return { failed: [...ids] };
    }
    return { failed: reported as string[] };
  }

  private stored(queue: LocalQueue, message: QueueMessage, from?: LocalQueue): void {
    this.say(
      message.origin,
      `  queue "${queue.name}" holds message ${message.messageId}${from ? ` (dead-lettered from "${from.name}")` : ""}: ` +
        short(message.body.replace(/\s+/g, " "), 100),
    );
  }

  private deadLettered(queue: LocalQueue, message: QueueMessage, target: LocalQueue | undefined): void {
    const tag = message.origin;
    const text =
      `queue "${queue.name}": message ${message.messageId} received ${message.receiveCount} times ` +
      `(maxReceiveCount ${queue.redrive?.maxReceiveCount}) → moved to ${target ? `"${target.name}"` : queue.redrive?.deadLetterArn}`;
    if (this.expectedFailures.has(message.messageId)) this.say(tag, `  ${text} (expected)`);
    else this.fail(tag, text);
  }

  /**
   * Sends a message straight to a queue (as `aws sqs send-message` would).
   *
   * @param queue - the queue.
   * @param body - the body.
   * @param tag - the tag its lines carry.
   */
  sendToQueue(queue: LocalQueue, body: string, tag: string): QueueMessage {
    return this.queues.send(queue, body, tag);
  }

  /** What happened so far. */
  summary(): LocalSummary {
    const tables: Record<string, Record<string, unknown>[]> = {};
    const indexTable = this.topology.functions.find((f) => f.handler === "metadata")?.environment.TABLE_NAME;
    tables[indexTable ?? "metadata index"] = [...this.index.items.values()];
    for (const [name, items] of this.workflowTables) tables[name] = [...items.values()];
    return {
      endpoint: this.s3.endpoint,
      webhookReceiver: this.receiver.url,
      buckets: this.topology.buckets,
      ...this.record,
      webhooks: this.receiver.received,
      queues: this.topology.queues.map((q) => ({
        name: q.name,
        processed: [...this.queues.processed(q)],
        stored: [...this.queues.stored(q)],
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
    this.queues.close();
    this.s3.server.off("event", this.onEvent);
    this.s3.server.httpServer?.off("request", this.onRequest);
    this.stopped = true;
    const closing = this.s3.stop();
    this.s3.server.httpServer?.closeAllConnections();
    await Promise.all([closing, this.receiver.close()]);
    this.index.restore();
    this.idempotency.restore();
  }
}
