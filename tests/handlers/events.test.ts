import { strict as assert } from "node:assert";
import { S3EventNotificationEventBridgeSchema, S3Schema } from "@aws-lambda-powertools/parser/schemas/s3";
import {
  compareSequencers,
  idempotencyKey,
  isNewer,
  parseS3Notifications,
  S3NotificationError,
  S3ObjectEvent,
  sequencerSortKey,
} from "../../handlers/shared/events";
import { fixture } from "./support/events";
import { applyInputTransformer } from "../../model/inputTransformer";
import { OBJECT_EVENT_INPUT } from "../../components/ruleTarget";

const EXPECTED =
  'expected an S3 event notification: {"Records":[...]} with eventSource "aws:s3", "aws:sqs" or "aws:sns", ' +
  'an EventBridge event with source "aws.s3", or an s3:TestEvent.';

/** The object every envelope fixture carries: "raw photos/Été à Paris+1.jpg", version, sequencer. */
const CANONICAL = {
  region: "us-west-2",
  bucket: "amzn-s3-demo-bucket",
  key: "raw photos/Été à Paris+1.jpg",
  eventName: "ObjectCreated:Put",
  eventTime: "2025-11-12T10:15:30.000Z",
  size: 1024,
  eTag: "b1946ac92492d2347c6235b4d2611184",
  versionId: "096fKKXTRTtl3on89fVO.nfljtsv6qko",
  sequencer: "0055AED6DCD90281E5",
};

describe("parseS3Notifications: envelopes", () => {
  const envelopes: [string, Pick<S3ObjectEvent, "source" | "messageId">][] = [
    ["s3-put.json", { source: "s3" }],
    ["sqs-s3-put.json", { source: "sqs", messageId: "059f36b4-87a3-44ab-83d2-661975830a7d" }],
    ["sns-s3-put.json", { source: "sns" }],
    ["sns-sqs-s3-put.json", { source: "sns-sqs", messageId: "2e1424d4-f796-459a-8184-9c92662be6da" }],
    ["sns-sqs-raw-s3-put.json", { source: "sqs", messageId: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d" }],
    ["eventbridge-object-created.json", { source: "eventbridge" }],
    [
      "eventbridge-sqs-object-created.json",
      { source: "eventbridge-sqs", messageId: "8f2e7c1b-3a4d-4e5f-9a0b-1c2d3e4f5a6b" },
    ],
  ];
  for (const [file, envelope] of envelopes) {
    it(`${file} yields the one canonical record, decoded, from envelope ${envelope.source}`, () => {
      assert.deepStrictEqual(parseS3Notifications(fixture(file)), [{ ...envelope, ...CANONICAL }]);
    });
  }

  for (const file of [
    "s3-test-event.json",
    "sqs-s3-test-event.json",
    "sns-s3-test-event.json",
    "sns-sqs-s3-test-event.json",
  ]) {
    it(`${file}: s3:TestEvent yields nothing`, () => {
      assert.deepStrictEqual(parseS3Notifications(fixture(file)), []);
    });
  }

  it("reads every record of a multi-record event, decoding + and %XX", () => {
    const records = parseS3Notifications(fixture("s3-two-records.json"));
    assert.deepStrictEqual(
      records.map((r) => [r.key, r.eventName, r.sequencer]),
      [
        ["raw photos/Été à Paris+1.jpg", "ObjectCreated:Put", "0055AED6DCD90281E5"],
        ["raw photos/copy of IMG_0001.JPG", "ObjectCreated:Copy", "0055AED6DCD90281F0"],
      ],
    );
  });

  it("reads eventVersion 2.2 and 2.3 records (replication, lifecycle, intelligent-tiering) as 2.1", () => {
    const names = [
      "s3-replication-failed-2.2.json",
      "s3-lifecycle-expiration-2.3.json",
      "s3-lifecycle-transition-2.3.json",
      "s3-intelligent-tiering-2.3.json",
      "s3-restore-completed.json",
      "s3-delete.json",
    ].map((file) => parseS3Notifications(fixture(file)).map((r) => `${r.eventName} ${r.key}`));
    assert.deepStrictEqual(names, [
      ["Replication:OperationFailedReplication reports/q3.csv"],
      ["LifecycleExpiration:Delete expiration/delete"],
      ["LifecycleTransition archive/2024/report.pdf"],
      ["IntelligentTiering HappyFace.jpg"],
      ["ObjectRestore:Completed archive/2024/report.pdf"],
      ["ObjectRemoved:Delete raw photos/Été à Paris+1.jpg"],
    ]);
    assert.deepStrictEqual(parseS3Notifications(fixture("s3-delete.json")), [
      {
        source: "s3",
        region: "us-west-2",
        bucket: "amzn-s3-demo-bucket",
        key: "raw photos/Été à Paris+1.jpg",
        eventName: "ObjectRemoved:Delete",
        eventTime: "2025-11-12T10:20:00.000Z",
        sequencer: "0055AED6DCD9028200",
      },
    ]);
  });

  it("maps AWS's documented EventBridge examples to native names", () => {
    assert.deepStrictEqual(parseS3Notifications(fixture("eventbridge-object-deleted.json")), [
      {
        source: "eventbridge",
        region: "ca-central-1",
        bucket: "amzn-s3-demo-bucket",
        key: "example-key",
        eventName: "ObjectRemoved:DeleteMarkerCreated",
        eventTime: "2021-11-12T00:00:00.000Z",
        eTag: "d41d8cd98f00b204e9800998ecf8427e",
        versionId: "1QW9g1Z99LUNbvaaYVpW9xDlOLU.qxgF",
        sequencer: "617F0837B476E463",
      },
    ]);
    assert.equal(
      parseS3Notifications(fixture("eventbridge-object-deleted-lifecycle.json"))[0].eventName,
      "LifecycleExpiration:DeleteMarkerCreated",
    );
    assert.equal(
      parseS3Notifications(fixture("eventbridge-object-restore-completed.json"))[0].eventName,
      "ObjectRestore:Completed",
    );
  });

  it("maps every EventBridge detail-type and reason", () => {
    const base = fixture("eventbridge-object-created.json") as { detail: Record<string, unknown> };
    const nameOf = (detailType: string, detail: Record<string, unknown>) =>
      parseS3Notifications({ ...base, "detail-type": detailType, detail: { ...base.detail, ...detail } })[0]
        .eventName;
    const cases: [string, Record<string, unknown>, string][] = [
      ["Object Created", { reason: "PutObject" }, "ObjectCreated:Put"],
      ["Object Created", { reason: "POST Object" }, "ObjectCreated:Post"],
      ["Object Created", { reason: "CopyObject" }, "ObjectCreated:Copy"],
      ["Object Created", { reason: "CompleteMultipartUpload" }, "ObjectCreated:CompleteMultipartUpload"],
      [
        "Object Deleted",
        { reason: "DeleteObject", "deletion-type": "Permanently Deleted" },
        "ObjectRemoved:Delete",
      ],
      [
        "Object Deleted",
        { reason: "DeleteObject", "deletion-type": "Delete Marker Created" },
        "ObjectRemoved:DeleteMarkerCreated",
      ],
      [
        "Object Deleted",
        { reason: "Lifecycle Expiration", "deletion-type": "Permanently Deleted" },
        "LifecycleExpiration:Delete",
      ],
      [
        "Object Deleted",
        { reason: "Lifecycle Expiration", "deletion-type": "Delete Marker Created" },
        "LifecycleExpiration:DeleteMarkerCreated",
      ],
      ["Object Restore Initiated", { "source-storage-class": "GLACIER" }, "ObjectRestore:Post"],
      [
        "Object Restore Completed",
        { "restore-expiry-time": "2025-11-19T00:00:00Z" },
        "ObjectRestore:Completed",
      ],
      ["Object Restore Expired", {}, "ObjectRestore:Delete"],
      ["Object Tags Added", {}, "ObjectTagging:Put"],
      ["Object Tags Deleted", {}, "ObjectTagging:Delete"],
      ["Object ACL Updated", {}, "ObjectAcl:Put"],
      ["Object Storage Class Changed", { "destination-storage-class": "GLACIER" }, "LifecycleTransition"],
      ["Object Access Tier Changed", { "destination-access-tier": "ARCHIVE_ACCESS" }, "IntelligentTiering"],
    ];
    for (const [detailType, detail, expected] of cases) {
      assert.equal(nameOf(detailType, detail), expected, `${detailType} ${JSON.stringify(detail)}`);
    }
  });

  it("keeps EventBridge keys as they are (not URL-encoded there)", () => {
    const base = fixture("eventbridge-object-created.json") as {
      detail: { object: Record<string, unknown> };
    };
    const event = {
      ...base,
      detail: { ...base.detail, object: { ...base.detail.object, key: "a+b%20c.jpg" } },
    };
    assert.equal(parseS3Notifications(event)[0].key, "a+b%20c.jpg");
  });
});

describe("parseS3Notifications: Powertools schema gaps, worked around", () => {
  it("Powertools 2.35 rejects an IPv6 source address and a null versionId; the parser accepts both", () => {
    const event = fixture("s3-put-ipv6-null-version.json");
    const powertools = S3Schema.safeParse(event);
    assert.equal(powertools.success, false);
    assert.deepStrictEqual(
      powertools.error?.issues.map((i) => i.path.join(".")),
      ["Records.0.requestParameters.sourceIPAddress", "Records.0.s3.object.versionId"],
    );
    assert.deepStrictEqual(parseS3Notifications(event), [
      {
        source: "s3",
        region: "us-west-2",
        bucket: "amzn-s3-demo-bucket",
        key: "uploads/report 2025.pdf",
        eventName: "ObjectCreated:Put",
        eventTime: "2025-11-12T10:15:30.000Z",
        size: 0,
        eTag: "d41d8cd98f00b204e9800998ecf8427e",
        sequencer: "617F08299329D189",
      },
    ]);
  });

  it("Powertools rejects an IPv6 EventBridge source-ip-address; the parser accepts it", () => {
    const base = fixture("eventbridge-object-created.json") as { detail: Record<string, unknown> };
    const event = { ...base, detail: { ...base.detail, "source-ip-address": "2001:db8::1" } };
    assert.equal(S3EventNotificationEventBridgeSchema.safeParse(event).success, false);
    assert.equal(parseS3Notifications(event)[0].key, CANONICAL.key);
  });
});

describe("parseS3Notifications: what is not an S3 notification", () => {
  const cases: [string, unknown, string][] = [
    ["undefined", undefined, "received undefined"],
    ["null", null, "received null"],
    ["a string", "hello", 'received a string of 5 characters ("hello")'],
    ["an array", [1, 2], "received an array of 2 items"],
    ["an empty object", {}, "received an empty object"],
    [
      "an API Gateway event",
      { resource: "/", path: "/", httpMethod: "GET" },
      "received an object with keys resource, path, httpMethod",
    ],
    ["empty Records", { Records: [] }, "received an event whose Records array is empty"],
    [
      "a DynamoDB stream",
      { Records: [{ eventSource: "aws:dynamodb", eventName: "INSERT" }] },
      'received Records with eventSource "aws:dynamodb" (first item: an object with keys eventSource, eventName)',
    ],
    [
      "mixed Records",
      { Records: [{ eventSource: "aws:s3" }, { eventSource: "aws:sqs" }] },
      'received Records mixing eventSource values "aws:s3", "aws:sqs"',
    ],
  ];
  for (const [name, input, received] of cases) {
    it(`throws for ${name}, naming what was received`, () => {
      assert.throws(
        () => parseS3Notifications(input),
        (error: Error) => {
          assert.ok(error instanceof S3NotificationError);
          assert.equal(error.message, `parseS3Notifications: ${received}; ${EXPECTED}`);
          return true;
        },
      );
    });
  }

  it("throws for an SQS message whose body is not an S3 notification", () => {
    const sqs = fixture("sqs-s3-put.json") as { Records: Record<string, unknown>[] };
    const event = { Records: [{ ...sqs.Records[0], messageId: "m-1", body: '{"orderId":42}' }] };
    assert.throws(() => parseS3Notifications(event), {
      message: `parseS3Notifications: received SQS message m-1 body: an object with keys orderId; ${EXPECTED}`,
    });
    const notJson = { Records: [{ ...sqs.Records[0], messageId: "m-2", body: "hello world" }] };
    assert.throws(() => parseS3Notifications(notJson), {
      message: `parseS3Notifications: received SQS message m-2 body that is not JSON: a string of 11 characters ("hello world"); ${EXPECTED}`,
    });
  });

  it("throws for an EventBridge event from another source or detail-type", () => {
    const base = fixture("eventbridge-object-created.json") as Record<string, unknown>;
    assert.throws(() => parseS3Notifications({ ...base, source: "aws.ec2" }), {
      message: `parseS3Notifications: received the event: an EventBridge event with source "aws.ec2"; ${EXPECTED}`,
    });
    assert.throws(() => parseS3Notifications({ ...base, "detail-type": "AWS API Call via CloudTrail" }), {
      message:
        'parseS3Notifications: received the event: an aws.s3 EventBridge event with detail-type "AWS API Call via CloudTrail"; ' +
        'expected one of the S3 object detail-types "Object Created", "Object Deleted", "Object Restore Initiated", ' +
        '"Object Restore Completed", "Object Restore Expired", "Object Tags Added", "Object Tags Deleted", "Object ACL Updated", ' +
        '"Object Storage Class Changed", "Object Access Tier Changed" (bucket-level "AWS API Call via CloudTrail" events are not ' +
        `object notifications); ${EXPECTED}`,
    });
  });

  it("throws for an S3 record that lacks required fields, naming the path", () => {
    const event = fixture("s3-put.json") as { Records: { s3: { object: Record<string, unknown> } }[] };
    event.Records[0].s3.object = { size: 1 };
    assert.throws(() => parseS3Notifications(event), {
      message:
        "parseS3Notifications: received the event: an object with keys Records that does not match S3's event message " +
        `structure (Records.0.s3.object.key: Invalid input: expected string, received undefined); ${EXPECTED}`,
    });
  });

  it("throws for a major eventVersion other than 2", () => {
    const event = fixture("s3-put.json") as { Records: Record<string, unknown>[] };
    event.Records[0].eventVersion = "3.0";
    assert.throws(() => parseS3Notifications(event), {
      message:
        'parseS3Notifications: received the event Records[0] with eventVersion "3.0"; expected eventVersion 2.x ' +
        '(AWS: "do an equal-to comparison on the major version number").',
    });
  });

  it("throws for a key that is not URL-encoded as S3 writes keys", () => {
    const event = fixture("s3-put.json") as { Records: { s3: { object: Record<string, unknown> } }[] };
    event.Records[0].s3.object.key = "100%.jpg";
    assert.throws(() => parseS3Notifications(event), {
      message:
        'parseS3Notifications: received the event Records[0] key "100%.jpg", which is not URL-encoded as S3 writes keys ' +
        "(URI malformed); expected a key URL-encoded with + for space and %XX escapes.",
    });
  });
});

describe("sequencers", () => {
  it("compares sequencers of unequal length by right-padding the shorter with zeros (AWS)", () => {
    assert.equal(compareSequencers("0055AED6DCD90281E5", "0055AED6DCD90281E6"), -1);
    assert.equal(compareSequencers("0055AED6DCD90281E5", "0055AED6DCD90281E5"), 0);
    assert.equal(compareSequencers("617F08299329D189", "617F08299329D18900"), 0);
    assert.equal(compareSequencers("617F08299329D189", "617F08299329D18901"), -1);
    assert.equal(compareSequencers("617F0837B476E463", "617F08299329D18900"), 1);
    assert.equal(compareSequencers("ff", "0100"), 1);
  });

  it("compares hex case-insensitively (EventBridge writes lower case)", () => {
    assert.equal(compareSequencers("617f0837b476e463", "617F0837B476E463"), 0);
    assert.equal(compareSequencers("00a", "00B"), -1);
  });

  it("isNewer: strictly later, or nothing recorded yet", () => {
    assert.equal(isNewer("0055AED6DCD90281E6", "0055AED6DCD90281E5"), true);
    assert.equal(isNewer("0055AED6DCD90281E5", "0055AED6DCD90281E5"), false);
    assert.equal(isNewer("0055AED6DCD90281E4", "0055AED6DCD90281E5"), false);
    assert.equal(isNewer("00", undefined), true);
  });

  it("sequencerSortKey orders as compareSequencers does", () => {
    const values = [
      "617F08299329D18901",
      "0055AED6DCD90281E5",
      "617f08299329d189",
      "FF",
      "0055AED6DCD9028200",
    ];
    const byKey = [...values].sort((a, b) => (sequencerSortKey(a) < sequencerSortKey(b) ? -1 : 1));
    const byCompare = [...values].sort(compareSequencers);
    assert.deepStrictEqual(byKey, byCompare);
    assert.equal(sequencerSortKey("abc"), "ABC".padEnd(64, "0"));
  });

  it("rejects a value that is not hexadecimal, naming the argument", () => {
    assert.throws(() => compareSequencers("0055", "xyz"), {
      message:
        'compareSequencers: argument b "xyz" is not a hexadecimal S3 sequencer; pass s3.object.sequencer ' +
        "(or detail.object.sequencer) exactly as the event carries it.",
    });
  });
});

describe("idempotencyKey", () => {
  it("is bucket, key, version and sequencer; the same change in any envelope has the same key", () => {
    const keys = new Set(
      [
        "s3-put.json",
        "sqs-s3-put.json",
        "sns-s3-put.json",
        "sns-sqs-s3-put.json",
        "eventbridge-object-created.json",
      ].map((file) => idempotencyKey(parseS3Notifications(fixture(file))[0])),
    );
    assert.deepStrictEqual(
      [...keys],
      [
        JSON.stringify([
          "amzn-s3-demo-bucket",
          "raw photos/Été à Paris+1.jpg",
          "096fKKXTRTtl3on89fVO.nfljtsv6qko",
          "0055AED6DCD90281E5",
          null,
        ]),
      ],
    );
  });

  it("adds event name and time when there is no sequencer, so two tag changes do not collide", () => {
    const base = {
      bucket: "b",
      key: "k",
      eventName: "ObjectTagging:Put",
      eventTime: "2025-01-01T00:00:00.000Z",
    };
    assert.equal(
      idempotencyKey(base),
      JSON.stringify(["b", "k", null, null, "ObjectTagging:Put@2025-01-01T00:00:00.000Z"]),
    );
    assert.notEqual(idempotencyKey(base), idempotencyKey({ ...base, eventTime: "2025-01-01T00:00:01.000Z" }));
  });
});

describe("parseS3Notifications: the stable payload of Step Functions and webhook targets", () => {
  it("reads the payload EventBridge's input transformer makes from an S3 event, as the event itself", () => {
    const event = fixture("eventbridge-object-created.json");
    const payload = JSON.parse(applyInputTransformer(OBJECT_EVENT_INPUT, event));
    assert.deepEqual(Object.keys(payload), [
      "id",
      "type",
      "time",
      "region",
      "bucket",
      "key",
      "object",
      "detail",
    ]);
    const fromPayload = parseS3Notifications(payload);
    const fromEvent = parseS3Notifications(event);
    assert.deepEqual(
      fromPayload,
      fromEvent.map((e) => ({ ...e, source: "payload" })),
    );
    assert.deepEqual(
      parseS3Notifications({ ...payload, metadata: { contentType: "application/pdf" } }),
      fromPayload,
    );
  });
});
