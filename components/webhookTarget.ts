/**
 * The webhook bridge: each matching event is POSTed to an external HTTPS endpoint through an
 * EventBridge API destination (S3 cannot call a URL itself). The connection's secret comes from
 * Pulumi config secrets and lives in Secrets Manager; the rule's role may only invoke this
 * destination; retries and a dead-letter queue on the target; a stable, documented JSON payload.
 *
 * Payload (see README): `{"id","type","time","bucket","key","object":{"key","size","etag","version-id","sequencer"}}`
 * — `id` is EventBridge's event id, stable across retries, for the receiver's idempotency.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "./awsContext";
import { DeadLetterQueue } from "./deadLetterQueue";
import {
  argError,
  checkInput,
  checkOneOf,
  checkRange,
  componentOwner,
  describeType,
  httpsUrl,
  isStringInput,
  ownerError,
  requireArgs,
  shown,
} from "./argCheck";
import { createRuleTarget, EVENTBRIDGE_RETRY_POLICY, eventsRole } from "./ruleTarget";
import { RuleBindContext, RuleTarget, TargetWrite } from "./target";

/** How the webhook authenticates. Every secret must be a Pulumi secret (e.g. `config.requireSecret`). */
export type WebhookAuth =
  | {
      /** An API key sent in a header. */
      type: "apiKey";
      /** The header's name, e.g. `x-api-key` (or `Authorization`): the connection sends it, kept secret. */
      header: pulumi.Input<string>;
      /** The key: a secret output. */
      value: pulumi.Output<string>;
    }
  | {
      /** HTTP basic authentication. */
      type: "basic";
      /** The user name. */
      username: pulumi.Input<string>;
      /** The password: a secret output. */
      password: pulumi.Output<string>;
    }
  | {
      /** OAuth client credentials; EventBridge fetches and refreshes the token. */
      type: "oauth";
      /** The token endpoint (`https://host/...`, no credentials in it). */
      tokenUrl: pulumi.Input<string>;
      /** The client id. */
      clientId: pulumi.Input<string>;
      /** The client secret: a secret output. */
      clientSecret: pulumi.Output<string>;
      /** The token endpoint's method. Default `POST`. */
      httpMethod?: "POST" | "GET" | "PUT";
      /** The scope to request, if the provider wants one. */
      scope?: pulumi.Input<string>;
    };

/** Arguments of {@link WebhookTarget}. */
export interface WebhookTargetArgs {
  /**
   * The receiving endpoint: `https://host/...`, without credentials (`user:password@`; secrets belong
   * in `auth`). A string or an Output (a config value, another stack's value); checked when it resolves.
   */
  endpoint: pulumi.Input<string>;
  /** How to authenticate. */
  auth: WebhookAuth;
  /** HTTP method. Default `POST`. */
  httpMethod?: "POST" | "PUT";
  /** Requests per second EventBridge may send, 1 to 300. Default 10. */
  rateLimitPerSecond?: number;
  /**
   * Fixed headers to send. They are stored in plain text on the EventBridge target, so credentials
   * are refused: `Authorization`, `Proxy-Authorization`, API-key, token, secret, password, cookie and
   * session headers, and any value given as a secret. Put credentials in `auth` (the connection).
   */
  headers?: Record<string, pulumi.Input<string>>;
  /** Seconds an event may be retried, 60 to 86,400. Default 86,400. */
  maximumEventAgeSeconds?: number;
  /** Retries, 0 to 185. Default 185 (EventBridge retries on 401, 407, 409, 429 and 5xx). */
  maximumRetryAttempts?: number;
  /** Where undeliverable events go. Default: one made for it. */
  deadLetterQueue?: DeadLetterQueue;
}

/** Refuses anything but an HTTPS URL with a host, without credentials or white space. */
export function assertHttps(url: string, owner: string, field: string): void {
  httpsUrl(owner, field, HTTPS_WHY)(url, shown(url), false);
}

const HTTPS_WHY =
  "EventBridge API destinations only call HTTPS endpoints, and events must not travel in clear text";

/** Header names that carry credentials: refused as plain-text headers. */
export const CREDENTIAL_HEADER =
  /authorization|api[-_]?key|token|secret|passw(or)?d|credential|cookie|session|signature/i;

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Checks fixed headers: names are HTTP tokens and not credential names; values are plain, without
 * line breaks, and not secrets (a secret value is refused when it resolves).
 */
export function checkHeaders(
  owner: string,
  headers: unknown,
): pulumi.Output<Record<string, string>> | undefined {
  if (headers === undefined) return undefined;
  if (
    headers === null ||
    typeof headers !== "object" ||
    Array.isArray(headers) ||
    pulumi.Output.isInstance(headers)
  ) {
    throw argError(
      owner,
      "headers",
      `must be an object of header names to values, got ${describeType(headers)}`,
      `Give e.g. { "X-Source": "s3" }.`,
    );
  }
  const checked: Record<string, pulumi.Output<string>> = {};
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    const field = `headers[${shown(name)}]`;
    if (!HEADER_NAME.test(name)) {
      throw argError(owner, field, `is not a valid HTTP header name`, `Use letters, digits and - only.`);
    }
    if (CREDENTIAL_HEADER.test(name)) {
      throw argError(
        owner,
        field,
        `looks like a credential, and headers are stored in plain text on the EventBridge target`,
        `Put it in the connection: auth: { type: "apiKey", header: ${shown(name)}, value: config.requireSecret("...") }.`,
      );
    }
    if (!isStringInput(value)) {
      throw argError(owner, field, `must be a string, got ${describeType(value)}`, `Give a string.`);
    }
    checked[name] = checkInput(owner, field, value, (v, display, secret) => {
      if (secret) {
        throw argError(
          owner,
          field,
          `is a secret, but headers are stored in plain text on the EventBridge target`,
          `Secrets belong in the connection: auth: { type: "apiKey", header: ${shown(name)}, value: <the secret> }.`,
        );
      }
      if (/[\r\n\0]/.test(v)) {
        throw argError(
          owner,
          field,
          `value ${display} holds a line break or NUL`,
          `Remove it: a header value is one line.`,
        );
      }
    });
  }
  return pulumi.output(checked);
}

/** Requires a secret output and keeps it secret; a plain string or a non-secret output is refused. */
export function requireSecret(value: unknown, owner: string, field: string): pulumi.Output<string> {
  const fix = `Read it with config.requireSecret("...") (pulumi config set --secret ...) or wrap it in pulumi.secret().`;
  if (!pulumi.Output.isInstance(value)) {
    throw ownerError(
      owner,
      `${field} is a plain ${typeof value}; secrets must never be in plain text. ${fix}`,
    );
  }
  const output = value as pulumi.Output<string>;
  const checked = pulumi.isSecret(output).then((secret) => {
    if (!secret)
      throw ownerError(owner, `${field} is not a secret output, so it would be stored in plain text. ${fix}`);
    return output;
  });
  return pulumi.secret(pulumi.output(checked));
}

/**
 * An external HTTPS endpoint that receives S3 events through an EventBridge API destination (a
 * connection holding the secret, a rate limit, retries on 401/407/409/429/5xx, then a dead-letter queue).
 *
 * @example
 * ```ts
 * import * as pulumi from "@pulumi/pulumi";
 * import { EventBucket, WebhookTarget } from "s3-event-routes";
 *
 * const config = new pulumi.Config();
 * const partner = new WebhookTarget("partner", {
 *   endpoint: "https://partner.example.com/s3-events",
 *   auth: { type: "apiKey", header: "x-api-key", value: config.requireSecret("partnerApiKey") },
 * });
 * new EventBucket("exports").addRoute({ name: "partner", events: ["created"], filter: { suffix: ".csv" }, target: partner });
 * ```
 */
export class WebhookTarget extends pulumi.ComponentResource implements RuleTarget {
  /**
   * `webhook "<name>"`.
   *
   * @internal
   */
  readonly label: string;
  /**
   * A webhook writes no objects.
   *
   * @internal
   */
  readonly writes: readonly TargetWrite[] = [];
  /** The connection (auth; its secret is in Secrets Manager). */
  readonly connection: aws.cloudwatch.EventConnection;
  /** The API destination. */
  readonly destination: aws.cloudwatch.EventApiDestination;
  /** The role EventBridge assumes: `events:InvokeApiDestination` on this destination only. */
  readonly eventsRole: aws.iam.Role;
  /** Where undeliverable events go. */
  readonly deadLetterQueue: DeadLetterQueue;
  /** The endpoint, as checked. */
  readonly endpoint: pulumi.Output<string>;
  private readonly name: string;
  private readonly eventsPolicy: aws.iam.RolePolicy;
  private readonly retryPolicy: { maximumEventAgeInSeconds: number; maximumRetryAttempts: number };
  private readonly headers?: pulumi.Output<Record<string, string>>;

  /**
   * @param name  the component's name; children are `<name>-connection`, `<name>-destination`, ...
   * @param args  endpoint, auth and limits.
   * @param opts  component options.
   */
  constructor(name: string, args: WebhookTargetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("s3-event-routes:index:WebhookTarget", name, {}, opts);
    const owner = componentOwner("WebhookTarget", name);
    requireArgs(
      owner,
      args,
      `{ endpoint: "https://partner.example.com/hook", auth: { type: "apiKey", ... } }`,
    );
    const endpoint = checkInput(owner, "endpoint", args.endpoint, httpsUrl(owner, "endpoint", HTTPS_WHY));
    checkOneOf(owner, "httpMethod", args.httpMethod, ["POST", "PUT"] as const);
    checkRange(owner, "rateLimitPerSecond", args.rateLimitPerSecond, 1, 300);
    checkRange(owner, "maximumEventAgeSeconds", args.maximumEventAgeSeconds, 60, 86_400);
    checkRange(owner, "maximumRetryAttempts", args.maximumRetryAttempts, 0, 185);
    this.name = name;
    this.label = `webhook "${name}"`;
    this.endpoint = endpoint;
    this.headers = checkHeaders(owner, args.headers);
    this.retryPolicy = {
      maximumEventAgeInSeconds:
        args.maximumEventAgeSeconds ?? EVENTBRIDGE_RETRY_POLICY.maximumEventAgeInSeconds,
      maximumRetryAttempts: args.maximumRetryAttempts ?? EVENTBRIDGE_RETRY_POLICY.maximumRetryAttempts,
    };
    const ctx = awsContext(this);
    this.deadLetterQueue =
      args.deadLetterQueue ?? new DeadLetterQueue(`${name}-failures`, {}, { parent: this });

    const auth = args.auth;
    let connectionArgs: aws.cloudwatch.EventConnectionArgs;
    switch (auth?.type) {
      case "apiKey":
        {
          const header = checkInput(owner, "auth.header", auth.header, (v, display) => {
            if (!HEADER_NAME.test(v)) {
              throw argError(
                owner,
                "auth.header",
                `${display} is not a valid HTTP header name`,
                `Use e.g. "x-api-key".`,
              );
            }
          });
          connectionArgs = {
            authorizationType: "API_KEY",
            authParameters: {
              apiKey: { key: header, value: requireSecret(auth.value, owner, "auth.value") },
            },
          };
        }
        break;
      case "basic":
        connectionArgs = {
          authorizationType: "BASIC",
          authParameters: {
            basic: {
              username: auth.username,
              password: requireSecret(auth.password, owner, "auth.password"),
            },
          },
        };
        break;
      case "oauth":
        checkOneOf(owner, "auth.httpMethod", auth.httpMethod, ["POST", "GET", "PUT"] as const);
        connectionArgs = {
          authorizationType: "OAUTH_CLIENT_CREDENTIALS",
          authParameters: {
            oauth: {
              authorizationEndpoint: checkInput(
                owner,
                "auth.tokenUrl",
                auth.tokenUrl,
                httpsUrl(owner, "auth.tokenUrl", HTTPS_WHY),
              ),
              httpMethod: auth.httpMethod ?? "POST",
              clientParameters: {
                clientId: auth.clientId,
                clientSecret: requireSecret(auth.clientSecret, owner, "auth.clientSecret"),
              },
              oauthHttpParameters: auth.scope
                ? { bodies: [{ key: "scope", value: auth.scope, isValueSecret: false }] }
                : {},
            },
          },
        };
        break;
      default:
        throw ownerError(owner, `auth.type must be "apiKey", "basic" or "oauth".`);
    }
    this.connection = new aws.cloudwatch.EventConnection(
      `${name}-connection`,
      { description: `Webhook ${name}`, ...connectionArgs },
      { parent: this },
    );
    this.destination = new aws.cloudwatch.EventApiDestination(
      `${name}-destination`,
      {
        description: `Webhook ${name}`,
        connectionArn: this.connection.arn,
        invocationEndpoint: this.endpoint,
        httpMethod: args.httpMethod ?? "POST",
        invocationRateLimitPerSecond: args.rateLimitPerSecond ?? 10,
      },
      { parent: this },
    );
    const events = eventsRole(
      name,
      {
        Sid: "InvokeApiDestination",
        Effect: "Allow",
        Action: "events:InvokeApiDestination",
        Resource: this.destination.arn,
      },
      ctx,
      this,
    );
    this.eventsRole = events.role;
    this.eventsPolicy = events.policy;
    this.registerOutputs({
      destinationArn: this.destination.arn,
      endpoint: this.endpoint,
      ...(this.headers ? { headers: this.headers } : {}),
    });
  }

  /**
   * The dead-letter queues of this target, for alarms.
   *
   * @internal
   */
  deadLetterQueues(): DeadLetterQueue[] {
    return [this.deadLetterQueue];
  }

  /**
   * Sends each event of the rule to the endpoint, as the stable payload.
   *
   * @internal
   */
  bindRule(ctx: RuleBindContext): aws.cloudwatch.EventTarget {
    return createRuleTarget(`${this.name}-${ctx.ruleKey}`, ctx, {
      arn: this.destination.arn,
      roleArn: this.eventsRole.arn,
      transform: true,
      deadLetterQueue: this.deadLetterQueue,
      parent: this,
      dependsOn: [this.eventsPolicy],
      retryPolicy: this.retryPolicy,
      extra: this.headers ? { httpTarget: { headerParameters: this.headers } } : undefined,
    });
  }
}
