/**
 * A Step Functions state machine started once per matching event, through EventBridge (S3 cannot
 * start executions itself): a given definition, or a ready processing workflow that reads the
 * object's metadata, branches on its content type, calls a Lambda function and records the
 * result. Logging on; the rule's role may only start this machine; retries and a DLQ on the
 * EventBridge target.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  argError,
  ARN_KINDS,
  arnOf,
  checkInput,
  checkOneOf,
  checkWith,
  componentOwner,
  deploymentOf,
  describeType,
  exactlyOne,
  inDeployment,
  LOG_RETENTION_DAYS,
  ownerError,
  requireArgs,
  routeSubject,
} from "./argCheck";
import { AwsContext, awsContext } from "./awsContext";
import { definitionProblems } from "./stateLanguage";
import { DeadLetterQueue } from "./deadLetterQueue";
import { LambdaTarget } from "./lambdaTarget";
import { assumedBy, sidPart, StatementInput } from "./policyDocument";
import { createRuleTarget, eventsRole } from "./ruleTarget";
import { SealedList } from "../model/sealedList";
import { RuleBindContext, RuleTarget, TargetWrite } from "./target";

/** The ready workflow: which objects to process, and with what. */
export interface ProcessingWorkflow {
  /** The function that processes an object; it receives the event payload plus `metadata`. */
  processor: LambdaTarget;
  /** Content types to process; others end in a `Skipped` state. Default `["application/pdf"]`. */
  contentTypes?: string[];
}

/** Arguments of {@link StateMachineTarget}. Give exactly one of `definition`, `workflow`, `existing`. */
export interface StateMachineTargetArgs {
  /**
   * An Amazon States Language definition (object or JSON string, or an Output of one). It is
   * validated (JSON, then the ASL specification: states, `StartAt`/`Next` targets) now when known,
   * when it resolves otherwise. Its role gets `policyStatements`.
   */
  definition?: pulumi.Input<string | Record<string, unknown>>;
  /** The ready processing workflow. */
  workflow?: ProcessingWorkflow;
  /** An existing state machine, by ARN: only the rule's role and DLQ are created. */
  existing?: {
    /** The state machine's ARN, in this stack's region and account (a string or an Output). */
    arn: pulumi.Input<string>;
  };
  /** `STANDARD` (exactly-once, up to a year) or `EXPRESS` (at-least-once, up to 5 minutes), spelled so. Default `STANDARD`. */
  type?: "STANDARD" | "EXPRESS";
  /** Execution log level. Default `ALL` (execution data excluded unless `logExecutionData`). */
  logLevel?: "ALL" | "ERROR" | "FATAL";
  /** Include execution input and output in the logs. Default false (object keys may be sensitive). */
  logExecutionData?: boolean;
  /** Days the execution logs are kept. Default 14. */
  logRetentionDays?: number;
  /** Further statements for the machine's role (for a custom `definition`). */
  policyStatements?: StatementInput[];
  /** Where events go that EventBridge could not deliver after its retries. Default: one made for it. */
  deadLetterQueue?: DeadLetterQueue;
}

/** The ASL of the ready workflow. */
export function processingWorkflowDefinition(
  processorArn: string,
  tableName: string,
  contentTypes: readonly string[],
): Record<string, unknown> {
  const lambdaRetry = {
    ErrorEquals: [
      "Lambda.ServiceException",
      "Lambda.AWSLambdaException",
      "Lambda.SdkClientException",
      "Lambda.TooManyRequestsException",
    ],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
  };
  return {
    Comment:
      "Reads the object's metadata, branches on its content type, processes it and records the result.",
    StartAt: "ReadMetadata",
    States: {
      ReadMetadata: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:s3:headObject",
        Parameters: { "Bucket.$": "$.bucket", "Key.$": "$.key" },
        ResultSelector: { "contentType.$": "$.ContentType", "contentLength.$": "$.ContentLength" },
        ResultPath: "$.metadata",
        Retry: [
          {
            ErrorEquals: ["S3.SdkClientException", "States.Timeout"],
            IntervalSeconds: 2,
            MaxAttempts: 3,
            BackoffRate: 2,
          },
        ],
        Catch: [
          {
            ErrorEquals: ["S3.NoSuchKeyException", "S3.NotFoundException"],
            ResultPath: "$.error",
            Next: "ObjectGone",
          },
        ],
        Next: "ByContentType",
      },
      ByContentType: {
        Type: "Choice",
        Choices: contentTypes.map((ct) => ({
          Variable: "$.metadata.contentType",
          StringEquals: ct,
          Next: "Process",
        })),
        Default: "Skipped",
      },
      Process: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: { FunctionName: processorArn, "Payload.$": "$" },
        ResultSelector: { "result.$": "$.Payload" },
        ResultPath: "$.processed",
        Retry: [lambdaRetry],
        Next: "RecordResult",
      },
      RecordResult: {
        Type: "Task",
        Resource: "arn:aws:states:::dynamodb:putItem",
        Parameters: {
          TableName: tableName,
          Item: {
            pk: { "S.$": "States.Format('{}/{}', $.bucket, $.key)" },
            eventId: { "S.$": "$.id" },
            time: { "S.$": "$.time" },
            contentType: { "S.$": "$.metadata.contentType" },
            result: { "S.$": "States.JsonToString($.processed.result)" },
          },
        },
        ResultPath: null,
        Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
        End: true,
      },
      Skipped: { Type: "Succeed", Comment: "Content type not processed." },
      ObjectGone: {
        Type: "Succeed",
        Comment: "The object was deleted before it was read (S3 delivery is eventually consistent).",
      },
    },
  };
}

/**
 * A state machine that EventBridge starts for each matching S3 event (S3 cannot start one itself):
 * the bucket's route goes through EventBridge, with a role, retries and a dead-letter queue.
 *
 * @example
 * ```ts
 * import { EventBucket, StateMachineTarget } from "s3-event-routes";
 *
 * const review = new StateMachineTarget("review", {
 *   definition: { StartAt: "Recorded", States: { Recorded: { Type: "Pass", End: true } } },
 * });
 * new EventBucket("documents").addRoute({ name: "review", events: ["removed"], target: review });
 * ```
 */
export class StateMachineTarget extends pulumi.ComponentResource implements RuleTarget {
  /**
   * `sfn "<name>"`.
   *
   * @internal
   */
  readonly label: string;
  /**
   * A state machine writes no objects through this product.
   *
   * @internal
   */
  readonly writes: readonly TargetWrite[] = [];
  /** The state machine's ARN. */
  readonly arn: pulumi.Output<string>;
  /** The state machine (undefined when adopted). */
  readonly stateMachine?: aws.sfn.StateMachine;
  /** The results table of the ready workflow. */
  readonly resultsTable?: aws.dynamodb.Table;
  /** The role EventBridge assumes: `states:StartExecution` on this machine only. */
  readonly eventsRole: aws.iam.Role;
  /** Where undeliverable events go. */
  readonly deadLetterQueue: DeadLetterQueue;
  private readonly name: string;
  private readonly ctx: AwsContext;
  private readonly statements?: SealedList<StatementInput>;
  private readonly eventsPolicy: aws.iam.RolePolicy;

  /**
   * @param name  the component's name; children are `<name>`, `<name>-role`, `<name>-logs`, ...
   * @param args  definition or workflow or existing machine, and settings.
   * @param opts  component options.
   */
  constructor(name: string, args: StateMachineTargetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("s3-event-routes:index:StateMachineTarget", name, {}, opts);
    const owner = componentOwner("StateMachineTarget", name);
    requireArgs(owner, args, `{ definition: { StartAt: "...", States: { ... } } }`);
    exactlyOne(owner, args, ["definition", "workflow", "existing"]);
    checkOneOf(owner, "type", args.type, ["STANDARD", "EXPRESS"] as const);
    checkOneOf(owner, "logLevel", args.logLevel, ["ALL", "ERROR", "FATAL"] as const);
    if (args.logRetentionDays !== undefined && !LOG_RETENTION_DAYS.includes(args.logRetentionDays)) {
      throw argError(
        owner,
        "logRetentionDays",
        `${JSON.stringify(args.logRetentionDays)} is not a CloudWatch Logs retention period`,
        `Use one of ${LOG_RETENTION_DAYS.join(", ")}.`,
      );
    }
    this.name = name;
    this.label = `sfn "${name}"`;
    this.ctx = awsContext(this);
    this.deadLetterQueue =
      args.deadLetterQueue ?? new DeadLetterQueue(`${name}-failures`, {}, { parent: this });

    if (args.existing) {
      const field = "existing.arn";
      this.arn = checkWith(
        checkInput(owner, field, args.existing.arn, arnOf(owner, field, ARN_KINDS.stateMachine)),
        deploymentOf(this.ctx),
        inDeployment(owner, field, "be started by this stack's EventBridge rules"),
      );
    } else {
      const role = new aws.iam.Role(
        `${name}-role`,
        {
          assumeRolePolicy: assumedBy("states.amazonaws.com", this.ctx.accountId),
        },
        { parent: this },
      );
      const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { retentionInDays: args.logRetentionDays ?? 14 },
        { parent: this },
      );
      this.statements = new SealedList(`the role policy of ${this.label}`);
      // CloudWatch Logs vended delivery requires these on "*" (AWS does not support narrower resources).
      this.statements.add(
        {
          Sid: "DeliverLogs",
          Effect: "Allow",
          Action: [
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups",
          ],
          Resource: "*",
        },
        owner,
      );
      let definition: pulumi.Output<string>;
      if (args.workflow) {
        const processor = args.workflow.processor;
        if (!(processor instanceof LambdaTarget)) {
          throw ownerError(
            owner,
            `workflow.processor must be a LambdaTarget, got ${describeType(processor)}.`,
          );
        }
        const contentTypes = args.workflow.contentTypes ?? ["application/pdf"];
        if (
          !Array.isArray(contentTypes) ||
          contentTypes.some((c) => typeof c !== "string" || !/^[\w.+-]+\/[\w.+*-]+$/.test(c))
        ) {
          throw ownerError(
            owner,
            `workflow.contentTypes must be a list of media types like "application/pdf", got ${JSON.stringify(contentTypes)}.`,
          );
        }
        if (contentTypes.length === 0) {
          throw ownerError(
            owner,
            `workflow.contentTypes is empty; name at least one, e.g. ["application/pdf"].`,
          );
        }
        this.resultsTable = new aws.dynamodb.Table(
          `${name}-results`,
          {
            billingMode: "PAY_PER_REQUEST",
            hashKey: "pk",
            attributes: [{ name: "pk", type: "S" }],
            serverSideEncryption: { enabled: true },
            pointInTimeRecovery: { enabled: true },
          },
          { parent: this },
        );
        this.statements.add(
          {
            Sid: "InvokeProcessor",
            Effect: "Allow",
            Action: "lambda:InvokeFunction",
            Resource: pulumi.all([processor.arn, pulumi.interpolate`${processor.arn}:*`]),
          },
          owner,
        );
        this.statements.add(
          {
            Sid: "RecordResults",
            Effect: "Allow",
            Action: "dynamodb:PutItem",
            Resource: this.resultsTable.arn,
          },
          owner,
        );
        definition = pulumi
          .all([processor.arn, this.resultsTable.name])
          .apply(([fn, table]) => JSON.stringify(processingWorkflowDefinition(fn, table, contentTypes)));
      } else {
        definition = checkedDefinition(owner, args.definition);
      }
      for (const s of args.policyStatements ?? []) this.statements.add(s, owner);
      const rolePolicy = new aws.iam.RolePolicy(
        `${name}-policy`,
        {
          role: role.id,
          policy: pulumi
            .output(this.statements.values)
            .apply((list) => pulumi.output(list))
            .apply((list) => JSON.stringify({ Version: "2012-10-17", Statement: list })),
        },
        { parent: this },
      );
      this.stateMachine = new aws.sfn.StateMachine(
        name,
        {
          roleArn: role.arn,
          type: args.type ?? "STANDARD",
          definition,
          loggingConfiguration: {
            logDestination: pulumi.interpolate`${logGroup.arn}:*`,
            includeExecutionData: args.logExecutionData ?? false,
            level: args.logLevel ?? "ALL",
          },
        },
        // Step Functions checks the role's log delivery rights on create; a workflow's processor
        // must be able to log and read before the machine can start it.
        { parent: this, dependsOn: [rolePolicy, ...(args.workflow?.processor.readyForEvents ?? [])] },
      );
      this.arn = this.stateMachine.arn;
    }

    const events = eventsRole(
      name,
      { Sid: "StartExecution", Effect: "Allow", Action: "states:StartExecution", Resource: this.arn },
      this.ctx,
      this,
    );
    this.eventsRole = events.role;
    this.eventsPolicy = events.policy;
    this.registerOutputs({ arn: this.arn });
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
   * Starts the machine for each event of the rule, with the stable payload as input.
   *
   * @internal
   */
  bindRule(ctx: RuleBindContext): aws.cloudwatch.EventTarget {
    const object = ctx.object;
    if (object && this.statements) {
      this.statements.add(
        {
          Sid: `Read${sidPart(object.bucketName)}${sidPart(object.route.name)}`,
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: pulumi.interpolate`${object.bucketArn}/${object.route.filter.prefix ?? ""}*`,
        },
        routeSubject(object.bucketName, object.route.name),
      );
    }
    return createRuleTarget(`${this.name}-${ctx.ruleKey}`, ctx, {
      arn: this.arn,
      roleArn: this.eventsRole.arn,
      transform: true,
      deadLetterQueue: this.deadLetterQueue,
      parent: this,
      dependsOn: [this.eventsPolicy],
    });
  }
}

/** The definition as JSON text, validated now when known, when it resolves otherwise (same message). */
function checkedDefinition(owner: string, definition: unknown): pulumi.Output<string> {
  const check = (d: unknown): string => {
    const problems = definitionProblems(d);
    if (problems.length > 0) {
      throw argError(
        owner,
        "definition",
        `is not a valid Amazon States Language definition: ${problems.join("; ")}`,
        `Step Functions would refuse it; fix the definition (every StartAt, Next and Default must name a state).`,
      );
    }
    return typeof d === "string" ? d : JSON.stringify(d);
  };
  if (
    pulumi.Output.isInstance(definition) ||
    typeof (definition as PromiseLike<unknown>)?.then === "function"
  ) {
    return (pulumi.output(definition as pulumi.Input<string>) as pulumi.Output<unknown>).apply(check);
  }
  // A plain object may hold Outputs (a function's ARN): validated once they resolve. One without
  // Outputs is validated right here, at construction.
  if (containsOutputs(definition))
    return (pulumi.output(definition as pulumi.Input<string>) as pulumi.Output<unknown>).apply(check);
  return pulumi.output(check(definition));
}

function containsOutputs(value: unknown): boolean {
  if (pulumi.Output.isInstance(value) || typeof (value as PromiseLike<unknown>)?.then === "function")
    return true;
  if (Array.isArray(value)) return value.some(containsOutputs);
  if (value && typeof value === "object") return Object.values(value).some(containsOutputs);
  return false;
}
