import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { run } from "./harness";
import { AwsContext, awsContext } from "../../components/awsContext";

class Holder extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Holder", name, {}, opts);
    this.registerOutputs({});
  }
}

describe("awsContext", () => {
  it("looks up account, region and partition once per stack for the default provider", async () => {
    let a: AwsContext | undefined;
    let b: AwsContext | undefined;
    await run(() => {
      a = awsContext(new Holder("a"));
      b = awsContext(new Holder("b", { parent: new Holder("outer") }));
    });
    assert.ok(a && b);
    assert.equal(a, b);
    const [account, region, partition] = await new Promise<string[]>((resolve) =>
      pulumi.all([a!.accountId, a!.region, a!.partition]).apply(resolve),
    );
    assert.deepEqual([account, region, partition], ["123456789012", "us-east-1", "aws"]);
  });

  it("looks up separately for an explicit provider, once for all its components", async () => {
    let byDefault: AwsContext | undefined;
    let first: AwsContext | undefined;
    let second: AwsContext | undefined;
    await run(() => {
      const provider = new aws.Provider("eu", { region: "eu-west-1" });
      byDefault = awsContext(new Holder("default"));
      const scoped = new Holder("scoped", { providers: [provider] });
      first = awsContext(scoped);
      second = awsContext(new Holder("inner", { parent: scoped }));
    });
    assert.ok(byDefault && first && second);
    assert.notEqual(first, byDefault);
    assert.equal(first, second);
  });

  it("never shares a lookup between two programs run in one process", async () => {
    const seen: AwsContext[] = [];
    await run(() => seen.push(awsContext(new Holder("one"))));
    await run(() => seen.push(awsContext(new Holder("one"))));
    assert.equal(seen.length, 2);
    assert.notEqual(seen[0], seen[1]);
  });
});
