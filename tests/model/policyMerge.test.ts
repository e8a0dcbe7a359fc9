import { strict as assert } from "node:assert";
import {
  findPolicyConflicts,
  findPolicyDrift,
  mergePolicy,
  ownershipSidPrefix,
  parsePolicy,
  samePolicy,
  splitPolicy,
  validateStatements,
} from "../../model/policyMerge";
import { nameDigest } from "../../model/notificationMerge";

const QUEUE = "arn:aws:sqs:eu-west-1:111122223333:shared-jobs";
const NS = "pulumi:acme:photos:prod";
const PREFIX = ownershipSidPrefix(NS, "jobs");

/** Another team's statement, with its own key order and an unusual Principal form. */
const BILLING = {
  Sid: "BillingProducer",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::444455556666:role/billing" },
  Action: ["sqs:SendMessage", "sqs:GetQueueUrl"],
  Resource: QUEUE,
};
const CONSOLE = {
  Effect: "Allow",
  Principal: "*",
  Action: "sqs:ReceiveMessage",
  Resource: QUEUE,
  Condition: { Bool: { "aws:SecureTransport": "true" } },
};
const OURS_S3 = {
  Sid: `${PREFIX}S3`,
  Effect: "Allow",
  Principal: { Service: "s3.amazonaws.com" },
  Action: "sqs:SendMessage",
  Resource: QUEUE,
  Condition: {
    ArnLike: { "aws:SourceArn": "arn:aws:s3:::team-media" },
    StringEquals: { "aws:SourceAccount": "111122223333" },
  },
};

describe("shared access policies (policyMerge)", () => {
  it("namespaces Sids by stack and component, letters, digits and _ only", () => {
    assert.equal(PREFIX, `pulumi_${nameDigest(`${NS}/jobs`)}_jobs_`);
    assert.match(ownershipSidPrefix(NS, "my-queue.v2"), /^pulumi_[0-9a-f]{8}_myqueuev2_$/);
    assert.notEqual(ownershipSidPrefix(NS, "jobs"), ownershipSidPrefix("pulumi:globex:photos:prod", "jobs"));
  });

  it("keeps every foreign statement exactly as read, in its place, and appends this stack's", () => {
    const live = parsePolicy(
      JSON.stringify({ Version: "2012-10-17", Id: "team-policy", Statement: [BILLING, CONSOLE] }),
      "q",
    );
    const merged = mergePolicy(live, new Set([OURS_S3.Sid]), [OURS_S3]);
    assert.deepEqual(merged, {
      Version: "2012-10-17",
      Id: "team-policy",
      Statement: [BILLING, CONSOLE, OURS_S3],
    });
    // The foreign statements are the very objects read, not rebuilt.
    assert.equal(merged!.Statement[0], live!.Statement[0]);
  });

  it("replaces only owned statements (state and inputs) and removes them all on delete", () => {
    const stale = { ...OURS_S3, Sid: `${PREFIX}Events` };
    const live = parsePolicy(
      JSON.stringify({ Version: "2012-10-17", Statement: [stale, BILLING, OURS_S3] }),
      "q",
    );
    const owned = new Set([stale.Sid, OURS_S3.Sid]);
    assert.deepEqual(mergePolicy(live, owned, [OURS_S3])!.Statement, [BILLING, OURS_S3]);
    assert.deepEqual(mergePolicy(live, owned, [])!.Statement, [BILLING]);
    // Nothing left: no policy at all.
    const onlyOurs = parsePolicy(JSON.stringify({ Statement: [OURS_S3] }), "q");
    assert.equal(mergePolicy(onlyOurs, owned, []), undefined);
    assert.deepEqual(splitPolicy(live, owned).foreign, [BILLING]);
  });

  it("reads no policy, a single statement object, and refuses text that is not a policy", () => {
    assert.equal(parsePolicy(undefined, "q"), undefined);
    assert.equal(parsePolicy("", "q"), undefined);
    assert.deepEqual(parsePolicy(JSON.stringify({ Statement: BILLING }), "q")!.Statement, [BILLING]);
    assert.throws(() => parsePolicy("{nope", 'queue "x"'), {
      message: 'The access policy of queue "x" is not valid JSON, so no statement can be added to it safely.',
    });
    assert.deepEqual(mergePolicy(undefined, new Set(), [OURS_S3]), {
      Version: "2012-10-17",
      Statement: [OURS_S3],
    });
  });

  it("compares policies regardless of key order", () => {
    const a = parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: [BILLING] }), "q");
    const reordered = {
      Statement: [
        {
          Resource: QUEUE,
          Action: BILLING.Action,
          Principal: BILLING.Principal,
          Effect: "Allow",
          Sid: "BillingProducer",
        },
      ],
      Version: "2012-10-17",
    };
    assert.ok(samePolicy(a, reordered));
    assert.ok(!samePolicy(a, { ...reordered, Statement: [] }));
  });

  it("reports a foreign unconditional Deny of our action for everyone or our service, and nothing else", () => {
    const deny = { Sid: "Lockdown", Effect: "Deny", Principal: "*", Action: "SQS:*", Resource: QUEUE };
    assert.deepEqual(findPolicyConflicts('queue "q"', [BILLING, deny], [OURS_S3]), [
      'The access policy of queue "q" has a statement "Lockdown" that denies SQS:* to * without a condition, so this ' +
        `stack's statement "${OURS_S3.Sid}" (sqs:SendMessage for s3.amazonaws.com) can never take effect and S3 would ` +
        'refuse the notification ("Unable to validate the following destination configurations"). Nothing was ' +
        "changed. Have the owner of that statement narrow it (a condition on aws:SourceArn), or route through a queue " +
        "or topic of this stack.",
    ]);
    const tlsOnly = { ...deny, Condition: { Bool: { "aws:SecureTransport": "false" } } };
    const otherService = { ...deny, Principal: { Service: "sns.amazonaws.com" } };
    const otherAction = { ...deny, Action: "sqs:DeleteMessage" };
    assert.deepEqual(findPolicyConflicts('queue "q"', [tlsOnly, otherService, otherAction], [OURS_S3]), []);
  });

  it("reports drift of our statements: removed, or changed outside Pulumi", () => {
    const changed = { ...OURS_S3, Condition: {} };
    const [removed] = findPolicyDrift('queue "q"', [OURS_S3], []);
    assert.equal(
      removed,
      `The access policy of queue "q": statement "${OURS_S3.Sid}" of this stack was removed outside Pulumi since this ` +
        "stack last wrote it. Nothing was changed. Run `pulumi refresh` to accept the policy as it is, then `pulumi up` " +
        "to write this stack's statements again (or remove the route from the program if the change was deliberate).",
    );
    const [edited] = findPolicyDrift('queue "q"', [OURS_S3], [changed]);
    assert.match(edited, /statement "pulumi_[0-9a-f]{8}_jobs_S3" of this stack was changed outside Pulumi/);
    assert.deepEqual(findPolicyDrift('queue "q"', [OURS_S3], [{ ...OURS_S3 }]), []);
  });

  it("refuses our statements without the prefix, with other characters, or twice", () => {
    assert.deepEqual(
      validateStatements('queue "q"', PREFIX, [OURS_S3, OURS_S3, { ...OURS_S3, Sid: "Mine" }]),
      [
        `The access policy of queue "q": two statements have the Sid "${OURS_S3.Sid}".`,
        `The access policy of queue "q": statement Sid "Mine" is not in this stack's namespace: it must start with "${PREFIX}" and hold letters, digits and "_" only.`,
      ],
    );
  });
});
