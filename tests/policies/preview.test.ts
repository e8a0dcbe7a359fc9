/**
 * The policies under CrossGuard's own proxies during `pulumi preview`, where outputs of resources
 * still to be created are unknown: reading one throws `UnknownValueError`. The policies must follow
 * links through property dependencies, stay silent about what they cannot know, and never fail.
 */
import { strict as assert } from "node:assert";
import {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
  unknownCheckingProxy,
} from "@pulumi/policy";
import {
  s3NotificationDestinationSameRegion,
  s3NotificationFiltersDisjoint,
  s3NotificationNoFifoDestination,
} from "../../policies/deployFailures";
import { plain, recordOfArgs, UNKNOWN } from "../../policies/records";
import { T } from "../../policies/types";

/** @pulumi/policy's sentinel for an unknown string (proxy.ts `unknownStringValue`). */
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const OPTS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function resource(type: string, name: string, props: Record<string, unknown>): PolicyResource {
  return {
    type,
    name,
    urn: `urn:pulumi:dev::p::${type}::${name}`,
    props: unknownCheckingProxy(props),
    opts: OPTS,
    provider: {
      type: "pulumi:providers:aws",
      name: "default",
      urn: "urn:provider",
      props: { region: "us-east-1" },
    },
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  };
}

async function stackViolations(
  policy: StackValidationPolicy,
  resources: PolicyResource[],
): Promise<string[]> {
  const out: string[] = [];
  await policy.validateStack(
    {
      resources,
      stackTags: new Map(),
      getConfig: <C extends object>() => ({}) as C,
      notApplicable: (reason?: string): never => {
        throw new Error(reason);
      },
    },
    (message) => out.push(message),
  );
  return out;
}

describe("policies during preview (CrossGuard's unknown-checking proxies)", () => {
  it("copies proxied props into plain records, unknown values as UNKNOWN", () => {
    const props = unknownCheckingProxy({ a: UNKNOWN_STRING, b: [1, UNKNOWN_STRING], c: { d: "x" } });
    assert.throws(() => (props as Record<string, unknown>).a, /can't be known during preview/);
    assert.deepEqual(plain(props), { a: UNKNOWN, b: [1, UNKNOWN], c: { d: "x" } });
  });

  it("follows a notification to its FIFO queue through property dependencies while the ARN is unknown", async () => {
    const bucket = resource(T.bucket, "b", { bucket: UNKNOWN_STRING, arn: UNKNOWN_STRING });
    const queue = resource(T.queue, "q", { fifoQueue: true, arn: UNKNOWN_STRING, url: UNKNOWN_STRING });
    const n = resource(T.bucketNotification, "n", {
      bucket: UNKNOWN_STRING,
      queues: [{ queueArn: UNKNOWN_STRING, events: ["s3:ObjectCreated:*"] }],
    });
    n.propertyDependencies = { bucket: [bucket], queues: [queue] };
    n.dependencies = [bucket, queue];
    assert.deepEqual(await stackViolations(s3NotificationNoFifoDestination, [bucket, queue, n]), [
      `aws.s3.BucketNotification "n": entry "queues[0]" targets FIFO queue aws.sqs.Queue "q". S3 event notifications ` +
        `cannot deliver to FIFO queues, and S3 rejects the configuration. Target a standard queue, or set ` +
        `eventbridge: true on the notification and reach the FIFO queue through an EventBridge rule whose target sets ` +
        `sqsTarget.messageGroupId.`,
    ]);
  });

  it("stays silent when a region is not known yet", async () => {
    const bucket = resource(T.bucket, "b", { region: UNKNOWN_STRING });
    const queue = resource(T.queue, "q", { arn: UNKNOWN_STRING });
    queue.provider = {
      type: "pulumi:providers:aws",
      name: "west",
      urn: "urn:west",
      props: { region: "us-west-2" },
    };
    const n = resource(T.bucketNotification, "n", {
      bucket: UNKNOWN_STRING,
      queues: [{ queueArn: UNKNOWN_STRING, events: ["s3:ObjectCreated:*"] }],
    });
    n.propertyDependencies = { bucket: [bucket], queues: [queue] };
    assert.deepEqual(await stackViolations(s3NotificationDestinationSameRegion, [bucket, queue, n]), []);
  });

  it("judges only the entries whose filters are known", () => {
    const props = unknownCheckingProxy({
      bucket: UNKNOWN_STRING,
      lambdaFunctions: [
        { lambdaFunctionArn: UNKNOWN_STRING, events: ["s3:ObjectCreated:*"], filterPrefix: UNKNOWN_STRING },
        { id: "a", lambdaFunctionArn: UNKNOWN_STRING, events: ["s3:ObjectCreated:*"], filterPrefix: "in/" },
        {
          id: "b",
          lambdaFunctionArn: UNKNOWN_STRING,
          events: ["s3:ObjectCreated:Put"],
          filterPrefix: "in/x/",
        },
      ],
    });
    const args = {
      type: T.bucketNotification,
      name: "n",
      urn: "urn:n",
      props,
      opts: OPTS,
      stackTags: new Map<string, string>(),
      isType: () => true,
      asType: () => undefined,
      getConfig: <C extends object>() => ({}) as C,
      notApplicable: (reason?: string): never => {
        throw new Error(reason);
      },
    } as unknown as ResourceValidationArgs;
    assert.deepEqual(recordOfArgs(args).props.bucket, UNKNOWN);
    const out: string[] = [];
    const validate = (s3NotificationFiltersDisjoint as ResourceValidationPolicy).validateResource as (
      a: ResourceValidationArgs,
      r: (m: string) => void,
    ) => void;
    validate(args, (m) => out.push(m));
    assert.equal(out.length, 1);
    assert.match(
      out[0],
      /^aws\.s3\.BucketNotification "n": Entries "a" and "b" on bucket "\(not known yet\)" overlap/,
    );
  });
});
