import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { awsMocks, plainValue } from "../../components/testing/mockEngine";

async function create(mocks: pulumi.runtime.Mocks, args: pulumi.runtime.MockResourceArgs) {
  return await Promise.resolve(mocks.newResource(args));
}

describe("mock engine: regions", () => {
  it("builds ARNs in the region of the resource's explicit provider, its own region input, or the default", async () => {
    const mocks = awsMocks("123456789012", "us-east-1");
    const west = await create(mocks, {
      type: "pulumi:providers:aws",
      name: "west",
      inputs: { region: "us-west-2" },
    });
    const viaProvider = await create(mocks, {
      type: "aws:sqs/queue:Queue",
      name: "q",
      inputs: {},
      provider: `urn:pulumi:dev::project::pulumi:providers:aws::west::${west.id}`,
    });
    assert.equal(viaProvider.state.arn, "arn:aws:sqs:us-west-2:123456789012:q-mock");
    const own = await create(mocks, {
      type: "aws:s3/bucket:Bucket",
      name: "b",
      inputs: { region: "eu-west-1" },
    });
    assert.equal(own.state.region, "eu-west-1");
    const byDefault = await create(mocks, { type: "aws:sns/topic:Topic", name: "t", inputs: {} });
    assert.equal(byDefault.state.arn, "arn:aws:sns:us-east-1:123456789012:t-mock");
  });

  it("unwraps secrets and notes their paths", () => {
    const secrets: string[] = [];
    const sig = "4dabf18193072939515e22adb298388d";
    const value = plainValue(
      { a: { [sig]: "1b47061264138c4ac30d75fd1eb44270", value: { b: "s" } }, c: ["x"] },
      secrets,
      "",
    );
    assert.deepEqual(value, { a: { b: "s" }, c: ["x"] });
    assert.deepEqual(secrets, ["a"]);
  });
});
