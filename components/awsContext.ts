/**
 * The account, region and partition a component deploys into: looked up once per AWS provider
 * and stack, however many components ask.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Account, region and partition as outputs. */
export interface AwsContext {
  /** The 12-digit account id. */
  accountId: pulumi.Output<string>;
  /** The region name, e.g. `us-east-1`. */
  region: pulumi.Output<string>;
  /** The partition, e.g. `aws`. */
  partition: pulumi.Output<string>;
}

const CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity";

/**
 * Lookups by what answers them: the explicit AWS provider the parent passes on, or, for the
 * default provider, the stack being run. Both are objects of one program run, so a lookup never
 * outlives its program (tests run many programs in one process) and two providers — another
 * account or region — never share one.
 */
const lookups = new WeakMap<object, AwsContext>();

/**
 * Looks up the account, region and partition with the parent's provider: three invokes the first
 * time for a provider in a stack, none after that (a stack of 100 buckets and their targets would
 * otherwise make thousands).
 */
export function awsContext(parent: pulumi.Resource): AwsContext {
  const key = parent.getProvider(CALLER_IDENTITY) ?? pulumi.runtime.getStackResource();
  const known = key ? lookups.get(key) : undefined;
  if (known) return known;
  const opts = { parent };
  const context: AwsContext = {
    accountId: aws.getCallerIdentityOutput({}, opts).accountId,
    region: aws.getRegionOutput({}, opts).region,
    partition: aws.getPartitionOutput({}, opts).partition,
  };
  if (key) lookups.set(key, context);
  return context;
}
