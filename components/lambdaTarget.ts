/**
 * A Lambda function as a destination of S3 events: built from a handler bundle (never a
 * serialized closure) or adopted by ARN; invoked asynchronously by S3 with retries and an
 * on-failure dead-letter queue; invoked only by the buckets bound to it, each permission scoped
 * with the bucket's ARN and the account.
 *
 * The function is created as soon as its role exists; its role policy (logs, the objects it
 * reads, its dead-letter queue) is created alongside, and everything that sends it events or that
 * AWS checks against the role — the async invoke config, notifications, rule targets, event
 * source mappings, subscriptions, workflows — waits for it ({@link LambdaTarget.readyForEvents}).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  ARN_KINDS,
  arnOf,
  checkInput,
  checkOneOf,
  checkRange,
  checkWith,
  componentOwner,
  deploymentOf,
  inDeployment,
  ownerError,
  requireArgs,
  routeSubject,
} from "./argCheck";
import { awsContext } from "./awsContext";
import { DeadLetterQueue } from "./deadLetterQueue";
import { sidPart, StatementInput } from "./policyDocument";
import { SealedList } from "../model/sealedList";
import { createRuleTarget } from "./ruleTarget";
import { BindContext, NativeBinding, NotificationTarget, RuleBindContext, TargetWrite } from "./target";

/** Deployable code: an archive and its entry point. */
export interface FunctionCode {
  /** The archive (e.g. from `bundleHandler`, or a `pulumi.asset.FileArchive`). */
  code: pulumi.asset.Archive;
  /** The handler, e.g. `index.handler`. */
  handler: pulumi.Input<string>;
  /** The runtime. Default `nodejs22.x`. */
  runtime?: pulumi.Input<string>;
}

/** Arguments of {@link LambdaTarget}. Give exactly one of `code` and `existing`. */
export interface LambdaTargetArgs {
  /** The function's code; a role, log group and function are created. */
  code?: FunctionCode;
  /** An existing function, by ARN: only permissions and the async invoke config are created. */
  existing?: {
    /**
     * The function's ARN (unqualified), in this stack's region and account: a string, another
     * resource's output, a StackReference value or a config value. Checked when it resolves.
     */
    arn: pulumi.Input<string>;
    /** The function's timeout in seconds, 1 to 900, when a queue feeds it (to derive the visibility timeout). Default 3. */
    timeoutSeconds?: number;
  };
  /** Memory in MB, 128 to 10,240. Default 256. */
  memorySize?: number;
  /** Timeout in seconds, 1 to 900. Default 30. */
  timeoutSeconds?: number;
  /** Instruction set. Default `arm64` (cheaper per GB-second). */
  architecture?: "arm64" | "x86_64";
  /** Environment variables; default none. Lambda allows 4 KB in all; values are not secret (stored in plain text). */
  environment?: Record<string, pulumi.Input<string>>;
  /** Days the function's logs are kept: a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ...). Default 14. */
  logRetentionDays?: number;
  /** Concurrent executions reserved for (and limiting) the function; 0 stops it. Default none (the account's unreserved pool). */
  reservedConcurrency?: number;
  /** Where the function writes objects: a route that would trigger on them is refused. */
  writes?: TargetWrite[];
  /** Retries of an asynchronous invoke that failed, 0 to 2. Default 2 (S3's invokes are asynchronous). */
  maximumRetryAttempts?: number;
  /** Seconds an asynchronous event may wait before it goes to the on-failure queue, 60 to 21,600. Default 21,600. */
  maximumEventAgeSeconds?: number;
  /** The on-failure destination of asynchronous invokes. Default: a dead-letter queue created for it. */
  onFailure?: DeadLetterQueue;
  /** Further IAM statements for the function's role (least privilege: name exact actions and resources). */
  policyStatements?: StatementInput[];
  /** Protect stateful children (the log group) from deletion. Default false. */
  protect?: boolean;
}

/**
 * A Lambda function that S3 (and, later, queues and topics) invoke, with its role, log group,
 * scoped permission per bucket and an on-failure queue for asynchronous invokes.
 *
 * @example
 * ```ts
 * import * as pulumi from "@pulumi/pulumi";
 * import { EventBucket, LambdaTarget } from "s3-event-routes";
 *
 * const resize = new LambdaTarget("resize", {
 *   code: { code: new pulumi.asset.FileArchive("./resize"), handler: "index.handler" },
 *   timeoutSeconds: 60,
 * });
 * new EventBucket("photos").addRoute({ name: "resize", events: ["created"], filter: { prefix: "raw/" }, target: resize });
 * ```
 */
export class LambdaTarget extends pulumi.ComponentResource implements NotificationTarget {
  /**
   * `lambda "<name>"`.
   *
   * @internal
   */
  readonly label: string;
  /**
   * Where the function writes objects.
   *
   * @internal
   */
  readonly writes: readonly TargetWrite[];
  /** The function's ARN. */
  readonly arn: pulumi.Output<string>;
  /** The function's name. */
  readonly functionName: pulumi.Output<string>;
  /** The function's timeout, in seconds. */
  readonly timeoutSeconds: number;
  /** The function (undefined when adopted). */
  readonly function?: aws.lambda.Function;
  /** The execution role (undefined when adopted). */
  readonly role?: aws.iam.Role;
  /** The execution role's inline policy: logs, reads, the on-failure queue, grants (undefined when adopted). */
  readonly rolePolicy?: aws.iam.RolePolicy;
  /**
   * What must exist before anything sends the function events: its role policy (empty when
   * adopted). The function itself does not wait for it, so that it is created alongside; every
   * event source of this package depends on these, and so should any the program adds.
   *
   * @internal
   */
  readonly readyForEvents: pulumi.Resource[];
  /** The on-failure dead-letter queue of asynchronous invokes. */
  readonly onFailure: DeadLetterQueue;
  /** The asynchronous invoke configuration (retries, on-failure destination). */
  readonly invokeConfig: aws.lambda.FunctionEventInvokeConfig;
  private readonly name: string;
  private readonly statements?: SealedList<StatementInput>;
  private readonly permissions = new Map<string, aws.lambda.Permission>();
  private readonly decrypts = new Set<string>();

  /**
   * @param name  the component's name; children are `<name>-role`, `<name>-logs`, `<name>`, ...
   * @param args  code or existing function, and its settings.
   * @param opts  component options.
   */
  constructor(name: string, args: LambdaTargetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("s3-event-routes:index:LambdaTarget", name, {}, opts);
    const owner = componentOwner("LambdaTarget", name);
    requireArgs(owner, args, `{ code: { code, handler: "index.handler" } } or { existing: { arn } }`);
    if ((args.code === undefined) === (args.existing === undefined)) {
      throw ownerError(
        owner,
        `give exactly one of "code" (to build a function) and "existing" (to adopt one by ARN).`,
      );
    }
    checkRange(owner, "maximumRetryAttempts", args.maximumRetryAttempts, 0, 2);
    checkRange(owner, "maximumEventAgeSeconds", args.maximumEventAgeSeconds, 60, 21_600);
    checkRange(owner, "timeoutSeconds", args.timeoutSeconds, 1, 900);
    checkRange(owner, "memorySize", args.memorySize, 128, 10_240);
    checkRange(owner, "reservedConcurrency", args.reservedConcurrency, 0, 1_000_000);
    checkOneOf(owner, "architecture", args.architecture, ["arm64", "x86_64"] as const);
    this.name = name;
    this.label = `lambda "${name}"`;
    this.writes = args.writes ?? [];
    this.onFailure = args.onFailure ?? new DeadLetterQueue(`${name}-failures`, {}, { parent: this });

    if (args.code) {
      this.timeoutSeconds = args.timeoutSeconds ?? 30;
      this.role = new aws.iam.Role(
        `${name}-role`,
        {
          assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
            ],
          }),
        },
        { parent: this },
      );
      const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { retentionInDays: args.logRetentionDays ?? 14 },
        { parent: this, protect: args.protect },
      );
      this.statements = new SealedList(`the role policy of ${this.label}`);
      this.statements.add(
        {
          Sid: "WriteOwnLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: pulumi.interpolate`${logGroup.arn}:*`,
        },
        owner,
      );
      this.statements.add(
        { Sid: "SendFailedEvents", Effect: "Allow", Action: "sqs:SendMessage", Resource: this.onFailure.arn },
        owner,
      );
      for (const s of args.policyStatements ?? []) this.statements.add(s, owner);
      this.rolePolicy = new aws.iam.RolePolicy(
        `${name}-policy`,
        {
          role: this.role.id,
          policy: pulumi
            .output(this.statements.values)
            .apply((list) => pulumi.output(list))
            .apply((list) => JSON.stringify({ Version: "2012-10-17", Statement: list })),
        },
        { parent: this },
      );
      this.function = new aws.lambda.Function(
        name,
        {
          role: this.role.arn,
          code: args.code.code,
          handler: args.code.handler,
          runtime: args.code.runtime ?? "nodejs22.x",
          architectures: [args.architecture ?? "arm64"],
          memorySize: args.memorySize ?? 256,
          timeout: this.timeoutSeconds,
          reservedConcurrentExecutions: args.reservedConcurrency,
          environment: args.environment ? { variables: args.environment } : undefined,
          loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        },
        // Not dependsOn the role policy: creating a function does not need it, invoking it does.
        { parent: this },
      );
      this.arn = this.function.arn;
      this.functionName = this.function.name;
      this.readyForEvents = [this.rolePolicy];
    } else {
      const existing = args.existing!;
      checkRange(owner, "existing.timeoutSeconds", existing.timeoutSeconds, 1, 900);
      this.timeoutSeconds = existing.timeoutSeconds ?? 3;
      const field = "existing.arn";
      this.arn = checkWith(
        checkInput(owner, field, existing.arn, arnOf(owner, field, ARN_KINDS.function)),
        deploymentOf(awsContext(this)),
        inDeployment(owner, field, "be given its permissions and invoke configuration here"),
      );
      this.functionName = this.arn;
      this.readyForEvents = [];
      // Lambda sends to on-failure destinations with the function's own role: an adopted
      // function's role needs sqs:SendMessage on `onFailure.arn` (see README).
    }

    this.invokeConfig = new aws.lambda.FunctionEventInvokeConfig(
      `${name}-async`,
      {
        functionName: this.functionName,
        maximumRetryAttempts: args.maximumRetryAttempts ?? 2,
        maximumEventAgeInSeconds: args.maximumEventAgeSeconds ?? 21_600,
        destinationConfig: { onFailure: { destination: this.onFailure.arn } },
      },
      // Lambda refuses the config unless the role may already send to the destination.
      { parent: this, dependsOn: this.readyForEvents },
    );
    this.registerOutputs({ arn: this.arn, functionName: this.functionName });
  }

  /**
   * The dead-letter queues of this target, for alarms.
   *
   * @internal
   */
  deadLetterQueues(): DeadLetterQueue[] {
    return [this.onFailure];
  }

  /**
   * Adds a statement to the function's role. Only for functions this component built.
   *
   * @throws Error for an adopted function, whose role this stack does not manage.
   *
   * @internal
   */
  grant(statement: StatementInput, owner: string): void {
    if (!this.statements) {
      throw ownerError(
        owner,
        `${this.label} was adopted by ARN, so its role is not managed here. Grant it the access it needs on its own role.`,
      );
    }
    this.statements.add(statement, owner);
  }

  /**
   * Allows the bucket to invoke the function (once per bucket) and lets the function read its objects.
   *
   * @internal
   */
  bindNative(ctx: BindContext): NativeBinding {
    let permission = this.permissions.get(ctx.bucketName);
    if (!permission) {
      permission = new aws.lambda.Permission(
        `${this.name}-from-${ctx.bucketName}`,
        {
          action: "lambda:InvokeFunction",
          function: this.functionName,
          principal: "s3.amazonaws.com",
          sourceArn: ctx.bucketArn,
          sourceAccount: ctx.aws.accountId,
        },
        { parent: this },
      );
      this.permissions.set(ctx.bucketName, permission);
    }
    this.grantRead(ctx);
    return { kind: "lambda", arn: this.arn, dependsOn: [permission, ...this.readyForEvents] };
  }

  /**
   * Lets the rule invoke the function, retried and dead-lettered, and read the route's objects.
   *
   * @internal
   */
  bindRule(ctx: RuleBindContext): aws.cloudwatch.EventTarget {
    const permission = new aws.lambda.Permission(
      `${this.name}-from-${ctx.ruleKey}`,
      {
        action: "lambda:InvokeFunction",
        function: this.functionName,
        principal: "events.amazonaws.com",
        sourceArn: ctx.rule.arn,
      },
      { parent: this },
    );
    if (ctx.object) this.grantRead(ctx.object);
    return createRuleTarget(`${this.name}-${ctx.ruleKey}`, ctx, {
      arn: this.arn,
      deadLetterQueue: this.onFailure,
      parent: this,
      dependsOn: [permission, ...this.readyForEvents],
    });
  }

  /** Lets the function read the objects a route sends it (the route's prefix of the bucket). */
  private grantRead(ctx: BindContext): void {
    if (!this.statements) return;
    const owner = routeSubject(ctx.bucketName, ctx.route.name);
    if (ctx.kmsKeyArn && !this.decrypts.has(ctx.bucketName)) {
      this.decrypts.add(ctx.bucketName);
      this.statements.add(
        {
          Sid: `Decrypt${sidPart(ctx.bucketName)}`,
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: ctx.kmsKeyArn,
        },
        owner,
      );
    }
    const prefix = ctx.route.filter.prefix ?? "";
    this.statements.add(
      {
        Sid: `Read${sidPart(ctx.bucketName)}${sidPart(ctx.route.name)}`,
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectVersionTagging"],
        Resource: pulumi.interpolate`${ctx.bucketArn}/${prefix}*`,
      },
      owner,
    );
    // Without ListBucket, S3 answers a read of a deleted object with 403 instead of 404, and the
    // handler cannot tell "gone" (acknowledge) from "denied" (fail).
    this.statements.add(
      {
        Sid: `List${sidPart(ctx.bucketName)}${sidPart(ctx.route.name)}`,
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: ctx.bucketArn,
        Condition: { StringLike: { "s3:prefix": `${prefix}*` } },
      },
      owner,
    );
  }
}
