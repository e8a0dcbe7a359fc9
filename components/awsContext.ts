/** The account, region and partition a component deploys into, looked up once per parent. */
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

/** Looks up the account, region and partition with the parent's provider. */
export function awsContext(parent: pulumi.Resource): AwsContext {
  const opts = { parent };
  return {
    accountId: aws.getCallerIdentityOutput({}, opts).accountId,
    region: aws.getRegionOutput({}, opts).region,
    partition: aws.getPartitionOutput({}, opts).partition,
  };
}
