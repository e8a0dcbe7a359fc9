import { strict as assert } from "node:assert";
import {
  coversAction,
  coversService,
  globMatch,
  grantsService,
  hasBoolCondition,
  parsePolicy,
  requiredValues,
  statementLabel,
} from "../../policies/iamPolicy";
import { notificationEntries } from "../../policies/notifications";
import { UNKNOWN } from "../../policies/records";

describe("policy documents", () => {
  it("parses a JSON string or an object, a single statement or a list; undefined when unreadable or unknown", () => {
    const one = parsePolicy({
      Statement: { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" },
    });
    assert.equal(one?.length, 1);
    assert.equal(one?.[0].principal, "*");
    const two = parsePolicy(
      JSON.stringify({
        Statement: [
          {
            Sid: "A",
            Effect: "Deny",
            NotPrincipal: { AWS: ["arn:aws:iam::1:root"] },
            NotAction: "s3:Get*",
            NotResource: "x",
          },
          { Effect: "Maybe" },
          {
            Effect: "Allow",
            Principal: { Service: "s3.amazonaws.com" },
            Action: ["sqs:*"],
            Condition: { Bool: { "aws:SecureTransport": false } },
          },
        ],
      }),
    );
    assert.deepEqual(
      two?.map((s) => [statementLabel(s), s.effect, s.notPrincipal, s.actions, s.notActions, s.notResources]),
      [
        ['statement "A"', "Deny", true, [], ["s3:Get*"], ["x"]],
        ["statement #3", "Allow", false, ["sqs:*"], [], []],
      ],
    );
    assert.equal(parsePolicy("{not json"), undefined);
    assert.equal(parsePolicy(UNKNOWN), undefined);
    assert.equal(parsePolicy(""), undefined);
    assert.deepEqual(parsePolicy("{}"), []);
  });

  it("matches IAM wildcards, actions without case, NotAction, and service principals", () => {
    assert.ok(globMatch("arn:aws:s3:::b-*/in/?", "arn:aws:s3:::b-1/in/x"));
    assert.ok(!globMatch("arn:aws:s3:::b", "arn:aws:s3:::b/x"));
    assert.ok(globMatch("a.b+c", "a.b+c") && !globMatch("a.b", "aXb"));
    const [allow, deny] =
      parsePolicy({
        Statement: [
          { Effect: "Allow", Principal: { AWS: "*" }, Action: "KMS:GenerateDataKey*", Resource: "*" },
          { Effect: "Deny", Principal: "*", NotAction: "s3:Get*", Resource: "*" },
        ],
      }) ?? [];
    assert.ok(
      coversAction(allow, "kms:GenerateDataKey") &&
        coversAction(allow, "kms:GenerateDataKeyWithoutPlaintext"),
    );
    assert.ok(!coversAction(allow, "kms:Decrypt"));
    assert.ok(coversAction(deny, "s3:PutObject") && !coversAction(deny, "s3:GetObject"));
    assert.ok(coversService(allow, "s3.amazonaws.com"));
  });

  it("reads scoping conditions and the SourceArn a grant admits", () => {
    const [s] =
      parsePolicy({
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: ["s3.amazonaws.com"] },
            Action: "sqs:SendMessage",
            Condition: {
              ArnLike: { "AWS:SourceArn": "arn:aws:s3:::photos-*" },
              StringEqualsIfExists: { "aws:SourceAccount": "1" },
              BoolIfExists: { "aws:SecureTransport": "false" },
            },
          },
        ],
      }) ?? [];
    assert.deepEqual(requiredValues(s, "aws:SourceArn"), ["arn:aws:s3:::photos-*"]);
    assert.equal(requiredValues(s, "aws:SourceAccount"), undefined);
    assert.ok(hasBoolCondition(s, "aws:securetransport", false));
    assert.ok(grantsService(s, "s3.amazonaws.com", "sqs:SendMessage", "arn:aws:s3:::photos-b"));
    assert.ok(!grantsService(s, "s3.amazonaws.com", "sqs:SendMessage", "arn:aws:s3:::other"));
    assert.ok(!grantsService(s, "sns.amazonaws.com", "sqs:SendMessage"));
  });
});

describe("notification entries", () => {
  it("reads the three lists in order, decodes filters (keeping malformed ones), names entries", () => {
    const entries = notificationEntries({
      topics: [{ topicArn: "arn:t", events: ["s3:ObjectRemoved:*"], filterPrefix: "100%" }],
      lambdaFunctions: [
        {
          id: "thumbs",
          lambdaFunctionArn: "arn:f",
          events: ["s3:ObjectCreated:*"],
          filterPrefix: "raw+photos/",
          filterSuffix: ".jp%67",
        },
      ],
      queues: [{ queueArn: UNKNOWN, events: UNKNOWN, filterPrefix: UNKNOWN }],
    });
    assert.deepEqual(
      entries.map((e) => [e.kind, e.name, e.events, e.filter]),
      [
        ["lambda", "thumbs", ["s3:ObjectCreated:*"], { prefix: "raw photos/", suffix: ".jpg" }],
        ["queue", "queues[0]", undefined, undefined],
        ["topic", "topics[0] (arn:t)", ["s3:ObjectRemoved:*"], { prefix: "100%" }],
      ],
    );
  });
});
