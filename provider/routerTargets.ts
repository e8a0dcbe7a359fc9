/**
 * Builds the real target components from the router's plain target descriptions: a
 * {@link LambdaTarget}, {@link QueueTarget}, {@link TopicTarget}, {@link StateMachineTarget} or
 * {@link WebhookTarget} per target, named `<router>-<target>`, with the settings mapped one to one
 * onto the component's arguments. The components validate their arguments themselves, with their
 * own exact messages; what is checked here is only what the plain form adds (kinds, references by
 * name, fields that travel together).
 */
import * as pulumi from "@pulumi/pulumi";
import {
  LambdaTarget,
  LambdaTargetArgs,
  NotificationTarget,
  QueueTarget,
  RuleTarget,
  StateMachineTarget,
  Subscription,
  TopicTarget,
  WebhookAuth as ComponentWebhookAuth,
  WebhookTarget,
} from "../components";
import { routerErrors } from "./routerErrors";
import {
  PolicyStatement,
  TopicSubscription,
  Target,
  TargetKind,
  WebhookAuth,
  WebhookAuthType,
} from "./routerArgs";

/** A built target: the component, its ARN, and its kind. */
export interface BuiltTarget {
  /** The target's kind. */
  kind: TargetKind;
  /** The component. */
  component: LambdaTarget | QueueTarget | TopicTarget | StateMachineTarget | WebhookTarget;
  /** What a route hands the bucket. */
  target: NotificationTarget | RuleTarget;
  /** The destination's ARN (a webhook's API destination). */
  arn: pulumi.Output<string>;
}

const KINDS: readonly TargetKind[] = [
  TargetKind.Lambda,
  TargetKind.Queue,
  TargetKind.Topic,
  TargetKind.StateMachine,
  TargetKind.Webhook,
];
const SETTINGS = ["lambda", "queue", "topic", "stateMachine", "webhook"] as const;
const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

/** IAM statements from their plain form. */
function statements(list: PolicyStatement[] | undefined) {
  return list?.map((s) => ({
    ...(s.sid !== undefined ? { Sid: s.sid } : {}),
    Effect: "Allow" as const,
    Action: s.actions,
    Resource: s.resources,
  }));
}

/**
 * Builds every target, in an order that lets targets refer to each other by name: functions
 * first, then queues (their consumers), topics (their subscribers), state machines (their
 * processors) and webhooks.
 *
 * @throws Error naming the router, the target and the field at fault.
 */
export function buildTargets(
  router: string,
  owner: string,
  targets: Target[],
  parent: pulumi.Resource,
): Map<string, BuiltTarget> {
  targets.forEach((t, i) => {
    if (!t || typeof t.name !== "string" || !TARGET_NAME.test(t.name)) {
      throw new Error(routerErrors.targetName(owner, i, t?.name));
    }
    if (!KINDS.includes(t.kind)) throw new Error(routerErrors.unknownKind(owner, t.name, t.kind));
    const others = SETTINGS.filter((s) => s !== t.kind && t[s] !== undefined);
    if (others.length > 0) throw new Error(routerErrors.foreignSettings(owner, t.name, t.kind, others));
  });
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.name)) throw new Error(routerErrors.duplicateTarget(owner, t.name));
    seen.add(t.name);
  }
  const names = targets.map((t) => t.name);
  const built = new Map<string, BuiltTarget>();
  const opts = { parent };
  const ref = (where: string, field: string, value: unknown, wanted: TargetKind): BuiltTarget => {
    const found = typeof value === "string" ? built.get(value) : undefined;
    if (!found) {
      const declared = targets.find((t) => t.name === value);
      if (declared && declared.kind !== wanted) {
        throw new Error(routerErrors.wrongKind(owner, where, field, declared.name, declared.kind, wanted));
      }
      throw new Error(routerErrors.unknownTarget(owner, where, field, value, names));
    }
    if (found.kind !== wanted) {
      throw new Error(routerErrors.wrongKind(owner, where, field, value as string, found.kind, wanted));
    }
    return found;
  };
  const add = (t: Target, b: Omit<BuiltTarget, "kind">) => built.set(t.name, { kind: t.kind, ...b });
  const ofKind = (kind: TargetKind) => targets.filter((t) => t.kind === kind);

  for (const t of ofKind(TargetKind.Lambda)) {
    const s = t.lambda;
    if (!s) throw new Error(routerErrors.missingSettings(owner, t.name, t.kind, "code or existingArn"));
    const args: LambdaTargetArgs = {
      code: s.code ? { code: s.code, handler: s.handler ?? "index.handler", runtime: s.runtime } : undefined,
      existing:
        s.existingArn !== undefined
          ? { arn: s.existingArn, timeoutSeconds: s.existingTimeoutSeconds }
          : undefined,
      memorySize: s.memorySize,
      timeoutSeconds: s.timeoutSeconds,
      architecture: s.architecture,
      environment: s.environment,
      logRetentionDays: s.logRetentionDays,
      reservedConcurrency: s.reservedConcurrency,
      maximumRetryAttempts: s.maximumRetryAttempts,
      maximumEventAgeSeconds: s.maximumEventAgeSeconds,
      policyStatements: statements(s.policyStatements),
      writes: s.writes?.map((w) => ({
        bucket: w.bucketName,
        filter: { prefix: w.prefix, suffix: w.suffix },
      })),
    };
    const fn = new LambdaTarget(`${router}-${t.name}`, args, opts);
    add(t, { component: fn, target: fn, arn: fn.arn });
  }

  for (const t of ofKind(TargetKind.Queue)) {
    const s = t.queue ?? {};
    if ((s.existingArn === undefined) !== (s.existingUrl === undefined)) {
      throw new Error(routerErrors.queuePair(owner, t.name));
    }
    const where = `target "${t.name}"`;
    const consumer =
      s.consumer !== undefined ? ref(where, "queue.consumer", s.consumer, TargetKind.Lambda) : undefined;
    const queue = new QueueTarget(
      `${router}-${t.name}`,
      {
        existing:
          s.existingArn !== undefined ? { arn: s.existingArn, url: s.existingUrl as string } : undefined,
        consumer: consumer
          ? {
              function: consumer.component as LambdaTarget,
              batchSize: s.batchSize,
              maximumBatchingWindowSeconds: s.maximumBatchingWindowSeconds,
              maximumConcurrency: s.maximumConcurrency,
            }
          : undefined,
        consumerTimeoutSeconds: s.consumerTimeoutSeconds,
        visibilityTimeoutSeconds: s.visibilityTimeoutSeconds,
        maxReceiveCount: s.maxReceiveCount,
        messageRetentionSeconds: s.messageRetentionSeconds,
        receiveWaitTimeSeconds: s.receiveWaitTimeSeconds,
      },
      opts,
    );
    add(t, { component: queue, target: queue, arn: queue.arn });
  }

  for (const t of ofKind(TargetKind.Topic)) {
    const s = t.topic ?? {};
    const subscriptions = (s.subscriptions ?? []).map((sub, i) => subscription(owner, t.name, sub, i, ref));
    const topic = new TopicTarget(
      `${router}-${t.name}`,
      {
        existing: s.existingArn !== undefined ? { arn: s.existingArn } : undefined,
        encryption: s.encryption,
        kmsKeyArn: s.kmsKeyArn,
        subscriptions,
      },
      opts,
    );
    add(t, { component: topic, target: topic, arn: topic.arn });
  }

  for (const t of ofKind(TargetKind.StateMachine)) {
    const s = t.stateMachine;
    if (!s) {
      throw new Error(
        routerErrors.missingSettings(owner, t.name, t.kind, "definition, workflowProcessor or existingArn"),
      );
    }
    const where = `target "${t.name}"`;
    const processor =
      s.workflowProcessor !== undefined
        ? ref(where, "stateMachine.workflowProcessor", s.workflowProcessor, TargetKind.Lambda)
        : undefined;
    const machine = new StateMachineTarget(
      `${router}-${t.name}`,
      {
        definition: s.definition,
        workflow: processor
          ? { processor: processor.component as LambdaTarget, contentTypes: s.workflowContentTypes }
          : undefined,
        existing: s.existingArn !== undefined ? { arn: s.existingArn } : undefined,
        type: s.type,
        logLevel: s.logLevel,
        logExecutionData: s.logExecutionData,
        logRetentionDays: s.logRetentionDays,
        policyStatements: statements(s.policyStatements),
      },
      opts,
    );
    add(t, { component: machine, target: machine, arn: machine.arn });
  }

  for (const t of ofKind(TargetKind.Webhook)) {
    const s = t.webhook;
    if (!s) throw new Error(routerErrors.missingSettings(owner, t.name, t.kind, "endpoint and auth"));
    const webhook = new WebhookTarget(
      `${router}-${t.name}`,
      {
        endpoint: s.endpoint,
        auth: webhookAuth(owner, t.name, s.auth),
        httpMethod: s.httpMethod as "POST" | "PUT" | undefined,
        rateLimitPerSecond: s.rateLimitPerSecond,
        headers: s.headers,
        maximumEventAgeSeconds: s.maximumEventAgeSeconds,
        maximumRetryAttempts: s.maximumRetryAttempts,
      },
      opts,
    );
    add(t, { component: webhook, target: webhook, arn: webhook.destination.arn });
  }
  return built;
}

/** A topic subscription from its plain form: queue and function subscribers named as targets. */
function subscription(
  owner: string,
  target: string,
  sub: TopicSubscription,
  index: number,
  ref: (where: string, field: string, value: unknown, wanted: TargetKind) => BuiltTarget,
): Subscription {
  const where = `target "${target}"`;
  const field = `topic.subscriptions[${index}].target`;
  const endpoint = (): string => {
    if (typeof sub.endpoint !== "string") {
      throw new Error(routerErrors.subscriptionField(owner, target, index, sub.protocol, "endpoint"));
    }
    return sub.endpoint;
  };
  switch (sub?.protocol) {
    case "email":
    case "sms":
      return { protocol: sub.protocol, endpoint: endpoint() };
    case "https":
      return { protocol: "https", endpoint: endpoint(), rawMessageDelivery: sub.rawMessageDelivery };
    case "sqs":
      return {
        protocol: "sqs",
        queue: ref(where, field, sub.target, TargetKind.Queue).component as QueueTarget,
        rawMessageDelivery: sub.rawMessageDelivery,
      };
    case "lambda":
      return {
        protocol: "lambda",
        function: ref(where, field, sub.target, TargetKind.Lambda).component as LambdaTarget,
      };
    default:
      // The component names the protocol and the choices.
      return sub as unknown as Subscription;
  }
}

/** The component's auth from the plain form; the secret is passed as given, so the component checks it is one. */
function webhookAuth(owner: string, target: string, auth: WebhookAuth): ComponentWebhookAuth {
  const need = (field: "header" | "username" | "tokenUrl" | "clientId"): string => {
    const value = auth[field];
    if (typeof value !== "string") throw new Error(routerErrors.authField(owner, target, auth.type, field));
    return value;
  };
  // The component refuses a plain secret with its own message; outputs pass through untouched.
  const secret = auth?.secret as pulumi.Output<string>;
  switch (auth?.type) {
    case WebhookAuthType.ApiKey:
      return { type: "apiKey", header: need("header"), value: secret };
    case WebhookAuthType.Basic:
      return { type: "basic", username: need("username"), password: secret };
    case WebhookAuthType.OAuth:
      return {
        type: "oauth",
        tokenUrl: need("tokenUrl"),
        clientId: need("clientId"),
        clientSecret: secret,
        httpMethod: auth.tokenHttpMethod as "POST" | "GET" | "PUT" | undefined,
        scope: auth.scope,
      };
    default:
      // The component names the choices.
      return { type: auth?.type } as unknown as ComponentWebhookAuth;
  }
}
