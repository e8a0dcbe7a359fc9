/**
 * Step Functions, locally: each delivered event starts an execution of the state machine's
 * definition (../stateMachine.ts runs it with aws-local-stepfunctions), its Task states answered
 * by the loop itself — HeadObject against s3rver, the stack's functions, topics and queues, and
 * `putItem` into in-memory tables.
 */
import { HeadObjectCommand, HeadObjectCommandInput } from "@aws-sdk/client-s3";
import { short } from "../report";
import { runExecution, StateMachineServices, StatesError } from "../stateMachine";
import type { LocalStateMachine } from "../topology";
import type { Delivery, Destination, Destinations, LoopContext } from "./delivery";

/** The stack's state machines as a destination. */
export class StepFunctionsDestination implements Destination {
  /** The tables the workflows wrote (`dynamodb:putItem`), by name: partition key → item. */
  readonly tables = new Map<string, Map<string, Record<string, unknown>>>();

  constructor(
    private readonly ctx: LoopContext,
    private readonly to: Destinations,
  ) {}

  has(arn: string): boolean {
    return this.find(arn) !== undefined;
  }

  private find(arn: string): LocalStateMachine | undefined {
    return this.ctx.topology.stateMachines.find((m) => m.arn === arn);
  }

  /** One execution, with the delivered event as its input. */
  async deliver(arn: string, { tag, via, shape, body, label: planLabel }: Delivery): Promise<undefined> {
    const machine = this.find(arn)!;
    const label = planLabel ?? `sfn "${machine.name}"`;
    this.ctx.say(tag, `  ${via} → ${label} (${shape})`);
    const input = JSON.parse(body) as unknown;
    const result = await runExecution(
      machine.arn,
      machine.definition,
      input,
      this.services(tag, label),
      (step) => this.ctx.say(tag, `    ${label} ${step.name} (${step.type}): ${short(step.note, 200)}`),
    );
    this.ctx.record.executions.push({
      stateMachine: label,
      executionArn: result.executionArn,
      input,
      status: result.status,
      steps: result.steps,
      ...(result.error ? { error: result.error } : {}),
    });
    if (result.status === "SUCCEEDED")
      this.ctx.say(tag, `  ${label}: execution ${result.executionArn.split(":").pop()} SUCCEEDED`);
    else
      this.ctx.fail(
        tag,
        `${label}: execution FAILED: ${result.error?.Error}: ${short(result.error?.Cause ?? "", 200)}`,
      );
    return undefined;
  }

  /** What an execution's Task states call: the loop's own S3, functions, topics, queues and tables. */
  private services(tag: string, label: string): StateMachineServices {
    return {
      awsSdk: async (service, action, parameters) => {
        if (service === "s3" && action === "headObject") {
          return this.ctx.s3().send(new HeadObjectCommand(parameters as unknown as HeadObjectCommandInput));
        }
        throw new StatesError("States.Runtime", `aws-sdk:${service}:${action} is not simulated locally.`);
      },
      invokeFunction: async (name, payload) => {
        const fn = this.ctx.functions.find(name);
        if (!fn) throw new StatesError("Lambda.ResourceNotFoundException", `Function not found: ${name}`);
        return this.to.lambda.invoke(tag, fn, payload, label, 1);
      },
      putItem: async (table, item) => {
        const hashKey = this.ctx.topology.tables.find((t) => t.name === table)?.hashKey ?? "pk";
        const key = item[hashKey] as { S?: string; N?: string } | undefined;
        const id = key?.S ?? key?.N;
        if (id === undefined)
          throw new StatesError("DynamoDB.ValidationException", `The item has no ${hashKey}.`);
        const rows = this.tables.get(table) ?? new Map<string, Record<string, unknown>>();
        this.tables.set(table, rows.set(id, item));
      },
      publish: async (topicArn, message, subject) => {
        if (!this.to.sns.has(topicArn))
          throw new StatesError("SNS.NotFoundException", `Topic does not exist: ${topicArn}`);
        const delivery = { tag, via: label, shape: "sns:publish", body: message };
        return this.to.sns.deliver(topicArn, subject === undefined ? delivery : { ...delivery, subject });
      },
      sendMessage: async (queueUrl, body) => {
        const queue = this.to.sqs.findByUrl(queueUrl);
        if (!queue)
          throw new StatesError("SQS.QueueDoesNotExistException", `The queue ${queueUrl} does not exist.`);
        return this.to.sqs.deliver(queue.arn, { tag, via: label, shape: "sqs:sendMessage", body });
      },
    };
  }
}
