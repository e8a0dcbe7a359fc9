import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { evaluatePolicies } from "../../cli/checker/policyRuntime";
import { resourcePolicy, stackPolicy } from "../../policies/policy";
import { ResourceRecord } from "../../policies/records";
import { StackIndex } from "../../policies/stack";
import { T } from "../../policies/types";
import { CTX, res } from "./harness";

const META = { description: "Checks whether the wrapper reports what its rule returns." };

describe("the policy wrappers", () => {
  it("stackPolicy: keeps the meta as given and reports each violation of its rule against its resource", async () => {
    const queue = res(T.queue, "q", {});
    const topic = res(T.topic, "t", {});
    const seen: string[][] = [];
    const rule = (stack: StackIndex) => {
      seen.push(stack.resources.map((r) => r.name));
      return stack.resources.map((r) => ({ message: `${r.name} is wrong`, urn: r.urn }));
    };

    const policy = stackPolicy({ ...META, name: "s", enforcementLevel: "mandatory" }, rule);
    const { violations } = await evaluatePolicies([policy], [queue, topic], CTX);

    assert.deepEqual(Object.keys(policy), ["description", "name", "enforcementLevel", "validateStack"]);
    assert.deepEqual(seen, [["q", "t"]]);
    assert.deepEqual(
      violations.map((v) => [v.policy, v.enforcementLevel, v.resource?.urn, v.message]),
      [
        ["s", "mandatory", queue.urn, "q is wrong"],
        ["s", "mandatory", topic.urn, "t is wrong"],
      ],
    );
  });

  it("stackPolicy: hands its rule the configuration when the policy has a schema, and {} when it has none", async () => {
    const configs: unknown[] = [];
    const rule = (_stack: StackIndex, config: object) => {
      configs.push(config);
      return [];
    };
    const configured = stackPolicy(
      {
        ...META,
        name: "configured",
        configSchema: { properties: { n: { type: "integer", default: 6 } } },
      },
      rule,
    );
    const plain = stackPolicy({ ...META, name: "plain" }, rule);

    await evaluatePolicies([configured, plain], [], { ...CTX, config: { configured: { n: 3 } } });

    assert.deepEqual(configs, [{ n: 3 }, {}]);
  });

  it("resourcePolicy: runs each rule on the resources of its class only, as records", async () => {
    const queue = res(T.queue, "q", { name: "q-1" });
    const topic = res(T.topic, "t", { name: "t-1" });
    const fn = res(T.function, "f", {});
    const said = (what: string) => (r: ResourceRecord) => [`${what} ${r.name} ${String(r.props.name)}`];

    const one = resourcePolicy({ ...META, name: "one" }, aws.sqs.Queue, said("queue"));
    const two = resourcePolicy({ ...META, name: "two" }, [
      [aws.sqs.Queue, said("queue")],
      [aws.sns.Topic, said("topic")],
    ]);
    const { violations } = await evaluatePolicies([one, two], [queue, topic, fn], CTX);

    assert.equal(typeof one.validateResource, "function");
    assert.ok(Array.isArray(two.validateResource) && two.validateResource.length === 2);
    assert.deepEqual(
      violations.map((v) => [v.policy, v.resource?.urn, v.message]),
      [
        ["one", queue.urn, "queue q q-1"],
        ["two", queue.urn, "queue q q-1"],
        ["two", topic.urn, "topic t t-1"],
      ],
    );
  });
});
