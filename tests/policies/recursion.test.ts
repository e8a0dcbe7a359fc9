import { strict as assert } from "node:assert";
import {
  coveredKeys,
  s3LambdaNoRecursiveWrite,
  s3LambdaRoleNoRecursiveWrite,
} from "../../policies/recursion";
import { T } from "../../policies/types";
import { ARN, blamed, messages, res, set, title } from "./harness";
import { world } from "./world";

const ENTRY = `aws.s3.BucketNotification "photos-notification" (entry "thumbs": prefix "raw photos/" of bucket "photos")`;

describe(title(s3LambdaNoRecursiveWrite), () => {
  const policy = s3LambdaNoRecursiveWrite;

  it("passes a function that writes into another bucket", async () => {
    assert.deepEqual(await messages(policy, world().all()), []);
  });

  it("flags DEST_BUCKET/DEST_PREFIX inside the entry's filter", async () => {
    const w = world();
    set(w.fn, "environment.variables", { DEST_BUCKET: "photos-b", DEST_PREFIX: "raw photos/thumbs/" });
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.lambda.Function "thumbnailer" is triggered by ${ENTRY} and writes objects (prefix "raw photos/thumbs/", ` +
        `from DEST_BUCKET, DEST_PREFIX) into that same bucket, which the entry also matches: every object it writes ` +
        `triggers it again, forever. Write to another bucket, or set DEST_PREFIX to a prefix outside the entry's ` +
        `filter, or narrow the entry's filterPrefix/filterSuffix.`,
    ]);
    assert.deepEqual(await blamed(policy, w.all()), ["thumbnailer"]);
  });

  it("flags OUTPUT_BUCKET given as an ARN with no prefix (the whole bucket)", async () => {
    const w = world();
    set(w.fn, "environment.variables", { OUTPUT_BUCKET: ARN.bucket("photos-b") });
    assert.deepEqual(await messages(policy, w.all()), [
      `aws.lambda.Function "thumbnailer" is triggered by ${ENTRY} and writes objects (the whole bucket, from ` +
        `OUTPUT_BUCKET) into that same bucket, which the entry also matches: every object it writes triggers it again, ` +
        `forever. Write to another bucket, or set OUTPUT_PREFIX to a prefix outside the entry's filter, or narrow the ` +
        `entry's filterPrefix/filterSuffix.`,
    ]);
  });

  it("passes writes into the same bucket outside the filter, or for entries that do not fire on creation", async () => {
    const w = world();
    set(w.fn, "environment.variables", { DEST_BUCKET: "photos-b", DEST_PREFIX: "thumbs/" });
    assert.deepEqual(await messages(policy, w.all()), []);
    set(w.fn, "environment.variables", {
      DEST_BUCKET: "photos-b",
      DEST_PREFIX: "raw photos/x/",
      DEST_SUFFIX: ".png",
    });
    set(w.notification, "lambdaFunctions.0.filterSuffix", ".jpg");
    assert.deepEqual(await messages(policy, w.all()), [], "suffixes disjoint");
    set(w.notification, "lambdaFunctions.0.events", ["s3:ObjectRemoved:*"]);
    set(w.fn, "environment.variables", { DEST_BUCKET: "photos-b" });
    assert.deepEqual(await messages(policy, w.all()), [], "removals are not fired by writes");
  });
});

describe(title(s3LambdaRoleNoRecursiveWrite), () => {
  const policy = s3LambdaRoleNoRecursiveWrite;
  const grant = (resource: string, action: string | string[] = "s3:PutObject") =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: action, Resource: resource }],
    });
  const withRolePolicy = (resource: string, action?: string | string[]) => {
    const w = world();
    const rp = res(
      T.rolePolicy,
      "thumbnailer-policy",
      { role: "thumbnailer-role-r", policy: grant(resource, action) },
      { propertyDependencies: { role: [w.role] } },
    );
    return [...w.all(), rp];
  };
  const message = (source: string, resource: string) =>
    `aws.lambda.Function "thumbnailer" is triggered by ${ENTRY} and its role aws.iam.Role "thumbnailer-role" may write ` +
    `there: ${source} allows s3:PutObject on "${resource}", which covers keys the entry matches, so an object the ` +
    `function writes there would trigger it again. If the function writes into this bucket, scope the grant (and the ` +
    `writes) to a prefix outside the entry's filter; otherwise remove the grant.`;

  it("passes grants on another bucket or another prefix", async () => {
    assert.deepEqual(await messages(policy, withRolePolicy(`${ARN.bucket("thumbs-b")}/*`)), []);
    assert.deepEqual(await messages(policy, withRolePolicy(`${ARN.bucket("photos-b")}/thumbs/*`)), []);
    assert.deepEqual(
      await messages(policy, withRolePolicy(`${ARN.bucket("photos-b")}/*`, "s3:GetObject")),
      [],
    );
  });

  it("flags a role policy allowing s3:PutObject on the triggering keys", async () => {
    assert.deepEqual(await messages(policy, withRolePolicy(`${ARN.bucket("photos-b")}/raw photos/*`)), [
      message(`aws.iam.RolePolicy "thumbnailer-policy"`, `${ARN.bucket("photos-b")}/raw photos/*`),
    ]);
  });

  it("flags s3:* on a bucket pattern, from an inline policy", async () => {
    const w = world();
    set(w.role, "inlinePolicies", [{ name: "data", policy: grant("arn:aws:s3:::photos-*/*", "s3:*") }]);
    assert.deepEqual(await messages(policy, w.all()), [
      message(`inline policy "data" of aws.iam.Role "thumbnailer-role"`, "arn:aws:s3:::photos-*/*"),
    ]);
  });

  it("flags an attached customer-managed policy and AmazonS3FullAccess", async () => {
    const w = world();
    const managed = res(
      T.iamPolicy,
      "writer",
      { policy: grant("*") },
      { outputs: { arn: "arn:aws:iam::123456789012:policy/writer" } },
    );
    const attach = res(
      T.rolePolicyAttachment,
      "thumbnailer-writer",
      { role: "thumbnailer-role-r", policyArn: "arn:aws:iam::123456789012:policy/writer" },
      { propertyDependencies: { role: [w.role], policyArn: [managed] } },
    );
    assert.deepEqual(await messages(policy, [...w.all(), managed, attach]), [
      message(`aws.iam.Policy "writer" (attached by aws.iam.RolePolicyAttachment "thumbnailer-writer")`, "*"),
    ]);
    const full = res(
      T.rolePolicyAttachment,
      "thumbnailer-s3-full",
      { role: "thumbnailer-role-r", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" },
      { propertyDependencies: { role: [w.role] } },
    );
    assert.deepEqual(await messages(policy, [...w.all(), full]), [
      message(
        `the AWS-managed policy AmazonS3FullAccess (attached by aws.iam.RolePolicyAttachment "thumbnailer-s3-full")`,
        "*",
      ),
    ]);
  });
});

describe("coveredKeys", () => {
  it("turns an IAM resource pattern into the keys of a bucket it covers", () => {
    assert.deepEqual(coveredKeys("*", "b"), {});
    assert.deepEqual(coveredKeys("arn:aws:s3:::b/*", "b"), {});
    assert.deepEqual(coveredKeys("arn:aws:s3:::b/in/*.jpg", "b"), { prefix: "in/", suffix: ".jpg" });
    assert.deepEqual(coveredKeys("arn:aws:s3:::b/a/*/b/?", "b"), { prefix: "a/" });
    assert.deepEqual(coveredKeys("arn:aws:s3:::b/exact.txt", "b"), {
      prefix: "exact.txt",
      suffix: "exact.txt",
    });
    assert.deepEqual(coveredKeys("arn:aws:s3:::b*/x/*", "bucket"), { prefix: "x/" });
    assert.equal(coveredKeys("arn:aws:s3:::other/*", "b"), undefined);
    assert.equal(coveredKeys("arn:aws:s3:::b", "b"), undefined);
    assert.equal(coveredKeys("arn:aws:sqs:us-east-1:1:q", "b"), undefined);
  });
});
