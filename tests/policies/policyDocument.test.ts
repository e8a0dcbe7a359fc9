/**
 * aws.iam.getPolicyDocument as the mock engine answers it, against the documents the provider's
 * own docs say it returns (pulumi-aws / terraform-provider-aws `iam_policy_document` examples).
 */
import { strict as assert } from "node:assert";
import { policyDocumentJson } from "../../components/testing/policyDocument";
import { answerInvoke, UNKNOWN_VALUE } from "../../components/testing/invokes";

const doc = (args: Parameters<typeof policyDocumentJson>[0]) =>
  JSON.parse(policyDocumentJson(args)) as unknown;

describe("aws.iam.getPolicyDocument offline", () => {
  it("writes multiple condition keys under one test, one value as a string, actions reverse-sorted (docs: multiple condition keys and values)", () => {
    // Prepare / act
    const json = doc({
      statements: [
        {
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: ["*"],
          conditions: [
            { test: "ForAnyValue:StringEquals", variable: "kms:EncryptionContext:service", values: ["pi"] },
            {
              test: "ForAnyValue:StringEquals",
              variable: "kms:EncryptionContext:aws:pi:service",
              values: ["rds"],
            },
            {
              test: "ForAnyValue:StringEquals",
              variable: "kms:EncryptionContext:aws:rds:db-id",
              values: ["db-AAAAABBBBBCCCCCDDDDDEEEEE", "db-EEEEEDDDDDCCCCCBBBBBAAAAA"],
            },
          ],
        },
      ],
    });
    // Assess
    assert.deepEqual(json, {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "",
          Effect: "Allow",
          Action: ["kms:GenerateDataKey", "kms:Decrypt"],
          Resource: "*",
          Condition: {
            "ForAnyValue:StringEquals": {
              "kms:EncryptionContext:aws:pi:service": "rds",
              "kms:EncryptionContext:aws:rds:db-id": [
                "db-AAAAABBBBBCCCCCDDDDDEEEEE",
                "db-EEEEEDDDDDCCCCCBBBBBAAAAA",
              ],
              "kms:EncryptionContext:service": "pi",
            },
          },
        },
      ],
    });
  });

  const source = policyDocumentJson({
    statements: [
      { actions: ["ec2:*"], resources: ["*"] },
      { sid: "SidToOverride", actions: ["s3:*"], resources: ["*"] },
    ],
  });

  it("lets a statement replace a source document's statement with the same Sid (docs: using a source document)", () => {
    const json = doc({
      sourcePolicyDocuments: [source],
      statements: [
        {
          sid: "SidToOverride",
          actions: ["s3:*"],
          resources: ["arn:aws:s3:::somebucket", "arn:aws:s3:::somebucket/*"],
        },
      ],
    });
    assert.deepEqual(json, {
      Version: "2012-10-17",
      Statement: [
        { Sid: "", Effect: "Allow", Action: "ec2:*", Resource: "*" },
        {
          Sid: "SidToOverride",
          Effect: "Allow",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::somebucket/*", "arn:aws:s3:::somebucket"],
        },
      ],
    });
  });

  it("lets an override document replace a statement with the same Sid (docs: using an override document)", () => {
    const override = policyDocumentJson({
      statements: [{ sid: "SidToOverride", actions: ["s3:*"], resources: ["*"] }],
    });
    const json = doc({
      overridePolicyDocuments: [override],
      statements: [
        { actions: ["ec2:*"], resources: ["*"] },
        {
          sid: "SidToOverride",
          actions: ["s3:*"],
          resources: ["arn:aws:s3:::somebucket", "arn:aws:s3:::somebucket/*"],
        },
      ],
    });
    assert.deepEqual(json, {
      Version: "2012-10-17",
      Statement: [
        { Sid: "", Effect: "Allow", Action: "ec2:*", Resource: "*" },
        { Sid: "SidToOverride", Effect: "Allow", Action: "s3:*", Resource: "*" },
      ],
    });
  });

  it("combines source and override documents alone (docs: politik)", () => {
    const src = policyDocumentJson({
      statements: [
        { sid: "OverridePlaceholder", actions: ["ec2:DescribeAccountAttributes"], resources: ["*"] },
      ],
    });
    const ovr = policyDocumentJson({
      statements: [{ sid: "OverridePlaceholder", actions: ["s3:GetObject"], resources: ["*"] }],
    });
    assert.deepEqual(doc({ sourcePolicyDocuments: [src], overridePolicyDocuments: [ovr] }), {
      Version: "2012-10-17",
      Statement: [{ Sid: "OverridePlaceholder", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
    });
  });

  it("appends source documents in order (docs: merging source documents) and rejects a duplicate Sid as the provider does", () => {
    const one = policyDocumentJson({
      statements: [
        { actions: ["ec2:*"], resources: ["*"] },
        { sid: "UniqueSidOne", actions: ["s3:*"], resources: ["*"] },
      ],
    });
    const two = policyDocumentJson({
      statements: [
        { sid: "UniqueSidTwo", actions: ["iam:*"], resources: ["*"] },
        { actions: ["lambda:*"], resources: ["*"] },
      ],
    });
    assert.deepEqual(doc({ sourcePolicyDocuments: [one, two] }), {
      Version: "2012-10-17",
      Statement: [
        { Sid: "", Effect: "Allow", Action: "ec2:*", Resource: "*" },
        { Sid: "UniqueSidOne", Effect: "Allow", Action: "s3:*", Resource: "*" },
        { Sid: "UniqueSidTwo", Effect: "Allow", Action: "iam:*", Resource: "*" },
        { Sid: "", Effect: "Allow", Action: "lambda:*", Resource: "*" },
      ],
    });
    assert.throws(
      () => policyDocumentJson({ sourcePolicyDocuments: [one, one] }),
      /^Error: aws.iam.getPolicyDocument: duplicate Sid \(UniqueSidOne\) in source_policy_documents \(item 1; statement 1\)\. Remove the Sid or ensure Sids are unique$/,
    );
  });

  it('merges principals by type, writes a lone * principal as "*", keeps NotAction, NotPrincipal and policy variables', () => {
    const json = doc({
      policyId: "queue-policy",
      statements: [
        {
          sid: "SnsOnly",
          principals: [
            { type: "Service", identifiers: ["sns.amazonaws.com"] },
            { type: "Service", identifiers: ["s3.amazonaws.com"] },
            { type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] },
          ],
          actions: ["sqs:SendMessage"],
          resources: ["arn:aws:sqs:us-east-1:123456789012:q"],
          conditions: [
            {
              test: "ArnEquals",
              variable: "aws:SourceArn",
              values: ["arn:aws:sns:us-east-1:123456789012:t"],
            },
          ],
        },
        {
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          notActions: ["sqs:ReceiveMessage"],
          resources: ["*"],
        },
        {
          effect: "Deny",
          notPrincipals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:role/admin"] }],
          actions: ["sqs:*"],
          notResources: ["home/&{aws:username}/*"],
        },
      ],
    });
    assert.deepEqual(json, {
      Version: "2012-10-17",
      Id: "queue-policy",
      Statement: [
        {
          Sid: "SnsOnly",
          Effect: "Allow",
          Action: "sqs:SendMessage",
          Resource: "arn:aws:sqs:us-east-1:123456789012:q",
          Principal: {
            AWS: "arn:aws:iam::123456789012:root",
            Service: ["sns.amazonaws.com", "s3.amazonaws.com"],
          },
          Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t" } },
        },
        { Sid: "", Effect: "Deny", NotAction: "sqs:ReceiveMessage", Resource: "*", Principal: "*" },
        {
          Sid: "",
          Effect: "Deny",
          Action: "sqs:*",
          NotResource: "home/${aws:username}/*",
          NotPrincipal: { AWS: "arn:aws:iam::123456789012:role/admin" },
        },
      ],
    });
  });
});

describe("the mock engine's other invokes", () => {
  const ctx = { accountId: "111122223333", region: "cn-north-1" };

  it("answers identity, region, partition and ARN lookups from the stack's account and region", () => {
    assert.deepEqual(answerInvoke("aws:index/getCallerIdentity:getCallerIdentity", {}, ctx), {
      accountId: "111122223333",
      arn: "arn:aws-cn:iam::111122223333:user/offline",
      userId: "AIDAOFFLINE",
      id: "111122223333",
    });
    assert.deepEqual(answerInvoke("aws:index/getPartition:getPartition", {}, ctx), {
      partition: "aws-cn",
      id: "aws-cn",
      dnsSuffix: "amazonaws.com.cn",
      reverseDnsPrefix: "cn.com.amazonaws",
    });
    assert.equal(answerInvoke("aws:index/getRegion:getRegion", {}, ctx).region, "cn-north-1");
    assert.deepEqual(
      answerInvoke("aws:index/getArn:getArn", { arn: "arn:aws:sqs:eu-west-1:444455556666:jobs" }, ctx),
      {
        arn: "arn:aws:sqs:eu-west-1:444455556666:jobs",
        id: "arn:aws:sqs:eu-west-1:444455556666:jobs",
        partition: "aws",
        service: "sqs",
        region: "eu-west-1",
        account: "444455556666",
        resource: "jobs",
      },
    );
  });

  it("answers what a name determines and leaves every other result field unknown, never absent", () => {
    const bucket = answerInvoke("aws:s3/getBucket:getBucket", { bucket: "team-uploads" }, ctx);
    assert.equal(bucket.arn, "arn:aws-cn:s3:::team-uploads");
    assert.equal(bucket.region, UNKNOWN_VALUE);
    assert.equal(bucket.hostedZoneId, UNKNOWN_VALUE);
    const other = answerInvoke("aws:kms/getAlias:getAlias", { name: "alias/team" }, ctx);
    assert.equal(other.name, "alias/team");
    assert.equal(other.targetKeyArn, UNKNOWN_VALUE);
  });
});
