import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  bucketCallPattern,
  eventPatternFor,
  matchesPattern,
  resolveBucketCalls,
  EventPattern,
} from "../../model/eventPattern";
import { resolveEventSelectors } from "../../model/eventTypes";

const dir = join(__dirname, "../fixtures/eventbridge");
const fixtures: Record<string, unknown> = Object.fromEntries(
  readdirSync(dir).map((f) => [f.replace(/\.json$/, ""), JSON.parse(readFileSync(join(dir, f), "utf8"))]),
);
const withBucket = (name: string, bucket: string) => {
  const e = structuredClone(fixtures[name]) as { detail: { bucket: { name: string } } };
  e.detail.bucket.name = bucket;
  return e;
};

/** The fixtures a pattern matches, sorted. */
const matched = (pattern: EventPattern) =>
  Object.keys(fixtures)
    .filter((k) => matchesPattern(pattern, fixtures[k]))
    .sort();

const pattern = (events: string[], filter = {}) =>
  eventPatternFor("example-bucket", resolveEventSelectors(events, "r"), filter, 'Bucket "b", route "r"');

describe("EventBridge patterns", () => {
  it("matches every created object, and only those, for 'created'", () => {
    assert.deepEqual(pattern(["created"]), {
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: { bucket: { name: ["example-bucket"] } },
    });
    assert.deepEqual(matched(pattern(["created"])), [
      "object-created-copy",
      "object-created-multipart",
      "object-created-post",
      "object-created-put",
    ]);
  });

  it("singles out one operation by its reason", () => {
    assert.deepEqual(pattern(["s3:ObjectCreated:Put"]), {
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: { bucket: { name: ["example-bucket"] }, reason: ["PutObject"] },
    });
    assert.deepEqual(matched(pattern(["s3:ObjectCreated:Put"])), ["object-created-put"]);
    assert.deepEqual(matched(pattern(["s3:ObjectCreated:CompleteMultipartUpload"])), [
      "object-created-multipart",
    ]);
  });

  it("tells user deletes from lifecycle expirations", () => {
    assert.deepEqual(pattern(["removed"]), {
      source: ["aws.s3"],
      "detail-type": ["Object Deleted"],
      detail: {
        bucket: { name: ["example-bucket"] },
        reason: ["DeleteObject"],
        "deletion-type": ["Permanently Deleted", "Delete Marker Created"],
      },
    });
    assert.deepEqual(matched(pattern(["removed"])), ["object-delete-marker", "object-deleted"]);
    assert.deepEqual(matched(pattern(["lifecycle-expiration"])), ["object-lifecycle-expired"]);
    assert.deepEqual(matched(pattern(["s3:ObjectRemoved:DeleteMarkerCreated"])), ["object-delete-marker"]);
  });

  it("combines families with $or when one of them is partial", () => {
    const p = pattern(["created", "s3:ObjectRemoved:Delete"]);
    assert.deepEqual(p, {
      source: ["aws.s3"],
      $or: [
        { "detail-type": ["Object Created"], detail: { bucket: { name: ["example-bucket"] } } },
        {
          "detail-type": ["Object Deleted"],
          detail: {
            bucket: { name: ["example-bucket"] },
            reason: ["DeleteObject"],
            "deletion-type": ["Permanently Deleted"],
          },
        },
      ],
    });
    assert.deepEqual(matched(p), [
      "object-created-copy",
      "object-created-multipart",
      "object-created-post",
      "object-created-put",
      "object-deleted",
    ]);
  });

  it("covers restore, tagging, ACL, storage class and access tier", () => {
    assert.deepEqual(matched(pattern(["restored"])), ["object-restore-completed"]);
    assert.deepEqual(matched(pattern(["tagging"])), ["object-tags-added"]);
    assert.deepEqual(matched(pattern(["acl"])), ["object-acl-updated"]);
    assert.deepEqual(matched(pattern(["lifecycle-transition"])), ["object-storage-class-changed"]);
    assert.deepEqual(matched(pattern(["intelligent-tiering"])), ["object-access-tier-changed"]);
    assert.deepEqual(pattern(["restored"])["detail-type"], [
      "Object Restore Initiated",
      "Object Restore Completed",
      "Object Restore Expired",
    ]);
  });

  it("matches decoded keys by prefix, suffix, and both (as a wildcard)", () => {
    assert.deepEqual(pattern(["created"], { prefix: "invoices/", suffix: ".pdf" }).detail, {
      bucket: { name: ["example-bucket"] },
      object: { key: [{ wildcard: "invoices/*.pdf" }] },
    });
    assert.deepEqual(matched(pattern(["created"], { prefix: "invoices/", suffix: ".pdf" })), [
      "object-created-copy",
      "object-created-put",
    ]);
    assert.deepEqual(matched(pattern(["created"], { prefix: "raw photos/" })), ["object-created-multipart"]);
    assert.deepEqual(matched(pattern(["created"], { suffix: ".txt" })), ["object-created-post"]);
    assert.deepEqual(pattern(["created"], { prefix: "a*b\\", suffix: ".x" }).detail, {
      bucket: { name: ["example-bucket"] },
      object: { key: [{ wildcard: "a\\*b\\\\*.x" }] },
    });
  });

  it("matches nothing from another bucket", () => {
    assert.equal(
      matchesPattern(pattern(["created"]), withBucket("object-created-put", "other-bucket")),
      false,
    );
  });

  it("refuses event types EventBridge does not carry, naming them", () => {
    assert.throws(
      () => pattern(["replication", "created"]),
      new Error(
        'Bucket "b", route "r": EventBridge does not carry s3:Replication:OperationFailedReplication, s3:Replication:OperationMissedThreshold, s3:Replication:OperationReplicatedAfterThreshold, s3:Replication:OperationNotTracked. Deliver these through a native notification (delivery: "native") instead.',
      ),
    );
    assert.throws(
      () => pattern(["reduced-redundancy-lost"]),
      new Error(
        'Bucket "b", route "r": EventBridge does not carry s3:ReducedRedundancyLostObject. Deliver this through a native notification (delivery: "native") instead.',
      ),
    );
  });
});

describe("bucket-level event patterns", () => {
  it("matches bucket creation and deletion by name prefix", () => {
    const p = bucketCallPattern(resolveBucketCalls(["created", "deleted"], "x"), { namePrefix: "team-" });
    assert.deepEqual(p, {
      source: ["aws.s3"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        eventSource: ["s3.amazonaws.com"],
        eventName: ["CreateBucket", "DeleteBucket"],
        requestParameters: { bucketName: [{ prefix: "team-" }] },
      },
    });
    assert.deepEqual(matched(p), ["cloudtrail-create-bucket"]);
    const any = bucketCallPattern(resolveBucketCalls(["created", "deleted"], "x"), "any");
    assert.deepEqual(matched(any), ["cloudtrail-create-bucket", "cloudtrail-delete-bucket"]);
    const policy = bucketCallPattern(resolveBucketCalls(["policy"], "x"), { name: "team-data-raw" });
    assert.deepEqual(matched(policy), ["cloudtrail-put-bucket-policy"]);
  });

  it("refuses unknown calls with the accepted list", () => {
    assert.throws(
      () => resolveBucketCalls(["CreateBuckets"], 'BucketEvents "b"'),
      /^Error: BucketEvents "b": unknown bucket call "CreateBuckets"\. Use a group \(created, deleted, policy,/,
    );
  });
});
