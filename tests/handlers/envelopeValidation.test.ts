import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { parseS3Notifications, S3NotificationError, S3ObjectEvent } from "../../handlers/shared/events";
import { fixture, FIXTURES } from "./support/events";
import { parseWithZod } from "./support/zodReference";

const EXPECTED =
  'expected an S3 event notification: {"Records":[...]} with eventSource "aws:s3", "aws:sqs" or "aws:sns", ' +
  'an EventBridge event with source "aws.s3", or an s3:TestEvent.';

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

type Outcome = { records: S3ObjectEvent[] } | { error: string };

function outcome(parse: (event: unknown) => S3ObjectEvent[], event: unknown): Outcome {
  try {
    return { records: parse(event) };
  } catch (error) {
    assert.ok(error instanceof Error, `threw a non-Error: ${String(error)}`);
    assert.equal(error.name, "S3NotificationError", `threw ${error.name}: ${error.message}`);
    return { error: error.message };
  }
}

/** A marker in a path: the string at this point is JSON, parsed, changed and written back. */
const JSON_TEXT = Symbol("json");
type Segment = string | number | typeof JSON_TEXT;

function paths(value: unknown, prefix: Segment[] = []): Segment[][] {
  const out: Segment[][] = [];
  if (typeof value === "string" && /^\s*\{/.test(value)) {
    try {
      out.push(...paths(JSON.parse(value), [...prefix, JSON_TEXT]));
    } catch {
      // not JSON
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => out.push([...prefix, i], ...paths(item, [...prefix, i])));
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value))
      out.push([...prefix, key], ...paths(item, [...prefix, key]));
  }
  return out;
}

const DELETE = Symbol("delete");
type Change = unknown;

function changed(value: unknown, path: Segment[], change: Change): unknown {
  const [head, ...rest] = path;
  if (head === JSON_TEXT) return JSON.stringify(changed(JSON.parse(value as string), rest, change));
  const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  if (rest.length > 0) copy[head] = changed(copy[head], rest, change);
  else if (change === DELETE) delete copy[head];
  else copy[head] = change;
  return copy;
}

/** The values every field is replaced with, one at a time. */
const CHANGES: [string, Change][] = [
  ["deleted", DELETE],
  ["null", null],
  ["0", 0],
  ["-1", -1],
  ["1.5", 1.5],
  ['"x"', "x"],
  ['""', ""],
  ["true", true],
  ["[]", []],
  ["{}", {}],
  ['"constructor"', "constructor"],
  ['"toString"', "toString"],
];

/** The phrases of the checks the schemas did not make (the only new refusals allowed). */
const STRICT =
  /is not a size in bytes|is not an S3 event name|is not a sequencer|found only on|detail-type "(constructor|toString)"|detail\.(reason|deletion-type) "(constructor|toString)"/;

/** The schema version's refusal of an EventBridge event inside an SNS message (the bug fixed here). */
const SCHEMA_VERSION_BUG =
  /Message: an object with keys [^;]*detail-type[^;]* does not match S3's event message structure/;

const label = (path: Segment[]) => path.map((s) => (s === JSON_TEXT ? "(json)" : String(s))).join(".");

describe("parseS3Notifications: the same verdicts as the schema version, field by field", () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".json"));
  for (const file of files) {
    it(`${file}: every field deleted or replaced is refused with the same message, or read to the same records`, () => {
      const base = fixture(file);
      let compared = 0;
      for (const path of [[], ...paths(base)]) {
        for (const [name, change] of path.length === 0 ? [] : CHANGES) {
          const event = changed(base, path, change);
          const before = outcome(parseWithZod, event);
          const after = outcome(parseS3Notifications, event);
          const where = `${file} ${label(path)} = ${name}`;
          compared += 1;
          if ("error" in before && SCHEMA_VERSION_BUG.test(before.error)) {
            continue; // the schema version read no EventBridge event inside SNS: compared in the EventBridge fixtures
          } else if ("error" in before) {
            assert.deepStrictEqual(after, before, where);
          } else if ("error" in after) {
            assert.match(after.error, STRICT, where);
          } else {
            assert.deepStrictEqual(after.records, before.records, where);
          }
        }
      }
      assert.ok(compared >= 70, `${file}: ${compared} variants`);
      const original = outcome(parseWithZod, base);
      if (!("error" in original && SCHEMA_VERSION_BUG.test(original.error)))
        assert.deepStrictEqual(outcome(parseS3Notifications, base), original, file);
    });
  }
});

describe("parseS3Notifications: an EventBridge event inside an SNS message", () => {
  const cases: [string, Pick<S3ObjectEvent, "source" | "messageId">][] = [
    ["sns-eventbridge-object-created.json", { source: "eventbridge-sns" }],
    [
      "sns-sqs-eventbridge-object-created.json",
      { source: "eventbridge-sns-sqs", messageId: "6a8c0e2f-4b6d-4f8a-9c0e-2f4b6d8f0a1c" },
    ],
    [
      "sns-sqs-raw-eventbridge-object-created.json",
      { source: "eventbridge-sqs", messageId: "9d1f3b5a-7c9e-4b1d-8f3a-5c7e9b1d3f5a" },
    ],
  ];
  for (const [file, envelope] of cases) {
    it(`${file} yields the canonical record from envelope ${envelope.source}`, () => {
      assert.deepStrictEqual(parseS3Notifications(fixture(file)), [{ ...envelope, ...CANONICAL }]);
    });
  }

  it("was refused by the schema version (the events ended in a DLQ)", () => {
    assert.deepStrictEqual(outcome(parseWithZod, fixture("sns-eventbridge-object-created.json")), {
      error:
        "parseS3Notifications: received SNS message 7c1f3a2e-9b4d-5e6f-8a0b-1c2d3e4f5a60 Message: an object with keys " +
        "version, id, detail-type, source, account, time, region, resources, … (9 keys) that does not match S3's event " +
        `message structure (Records: Invalid input: expected array, received undefined); ${EXPECTED}`,
    });
  });

  it("checks the EventBridge event inside as strictly as a direct one, naming the SNS message", () => {
    const event = fixture("sns-eventbridge-object-created.json") as {
      Records: { Sns: { Message: string } }[];
    };
    const inner = JSON.parse(event.Records[0].Sns.Message) as { detail: { object: Record<string, unknown> } };
    inner.detail.object.size = "1024";
    event.Records[0].Sns.Message = JSON.stringify(inner);
    assert.throws(() => parseS3Notifications(event), {
      name: "S3NotificationError",
      message:
        "parseS3Notifications: received SNS message 7c1f3a2e-9b4d-5e6f-8a0b-1c2d3e4f5a60 Message: an aws.s3 EventBridge " +
        "event that does not match S3's structure (detail.object.size: Invalid input: expected number, received string); " +
        EXPECTED,
    });
  });
});

describe("parseS3Notifications: inherited names and malformed values", () => {
  const bridge = () => fixture("eventbridge-object-created.json") as { detail: Record<string, unknown> };
  const s3 = () =>
    fixture("s3-put.json") as { Records: { eventName: string; s3: { object: Record<string, unknown> } }[] };
  const DETAIL_TYPES =
    '"Object Created", "Object Deleted", "Object Restore Initiated", "Object Restore Completed", ' +
    '"Object Restore Expired", "Object Tags Added", "Object Tags Deleted", "Object ACL Updated", ' +
    '"Object Storage Class Changed", "Object Access Tier Changed"';

  for (const name of ["constructor", "toString", "hasOwnProperty"]) {
    it(`refuses a detail-type, reason or deletion-type of "${name}" (no function source as the event name)`, () => {
      const base = bridge();
      assert.throws(() => parseS3Notifications({ ...base, "detail-type": name }), {
        name: "S3NotificationError",
        message:
          `parseS3Notifications: received the event: an aws.s3 EventBridge event with detail-type "${name}"; ` +
          `expected one of the S3 object detail-types ${DETAIL_TYPES} (bucket-level "AWS API Call via CloudTrail" ` +
          `events are not object notifications); ${EXPECTED}`,
      });
      assert.throws(() => parseS3Notifications({ ...base, detail: { ...base.detail, reason: name } }), {
        message:
          `parseS3Notifications: received the event: an aws.s3 EventBridge event with detail-type "Object Created" ` +
          `with detail.reason "${name}"; expected one of "PutObject", "POST Object", "CopyObject", ` +
          `"CompleteMultipartUpload"; ${EXPECTED}`,
      });
      const deleted = {
        ...base,
        "detail-type": "Object Deleted",
        detail: { ...base.detail, reason: "DeleteObject", "deletion-type": name },
      };
      assert.throws(() => parseS3Notifications(deleted), {
        message:
          `parseS3Notifications: received the event: an aws.s3 EventBridge event with detail-type "Object Deleted" ` +
          `with detail.deletion-type "${name}"; expected one of "Permanently Deleted", "Delete Marker Created"; ${EXPECTED}`,
      });
      const reasonDeleted = { ...deleted, detail: { ...deleted.detail, reason: name } };
      assert.throws(() => parseS3Notifications(reasonDeleted), {
        message:
          `parseS3Notifications: received the event: an aws.s3 EventBridge event with detail-type "Object Deleted" ` +
          `with detail.reason "${name}"; expected one of "DeleteObject", "Lifecycle Expiration"; ${EXPECTED}`,
      });
    });
  }

  const structure = (issue: string) =>
    "parseS3Notifications: received the event: an object with keys Records that does not match S3's event message " +
    `structure (${issue}); ${EXPECTED}`;

  it("refuses a negative or fractional size, naming the field", () => {
    for (const size of [-1, 1.5]) {
      const event = s3();
      event.Records[0].s3.object.size = size;
      assert.throws(() => parseS3Notifications(event), {
        message: structure(
          `Records.0.s3.object.size: ${size} is not a size in bytes (a whole number, 0 or more)`,
        ),
      });
    }
    const base = bridge();
    const fractional = {
      ...base,
      detail: { ...base.detail, object: { ...(base.detail.object as object), size: 2.5 } },
    };
    assert.throws(() => parseS3Notifications(fractional), {
      message:
        "parseS3Notifications: received the event: an aws.s3 EventBridge event that does not match S3's structure " +
        `(detail.object.size: 2.5 is not a size in bytes (a whole number, 0 or more)); ${EXPECTED}`,
    });
    const negative = {
      ...base,
      detail: { ...base.detail, object: { ...(base.detail.object as object), size: -2 } },
    };
    assert.throws(() => parseS3Notifications(negative), {
      message:
        "parseS3Notifications: received the event: an aws.s3 EventBridge event that does not match S3's structure " +
        `(detail.object.size: Too small: expected number to be >=0); ${EXPECTED}`,
    });
  });

  it("refuses an unknown eventName, naming the field and the names S3 sends", () => {
    const event = s3();
    event.Records[0].eventName = "ObjectCreated:Teleport";
    assert.throws(
      () => parseS3Notifications(event),
      (error: Error) => {
        assert.ok(error instanceof S3NotificationError);
        assert.ok(
          error.message.startsWith(
            structure(
              'Records.0.eventName: "ObjectCreated:Teleport" is not an S3 event name; expected one of "ObjectCreated:Put", ' +
                '"ObjectCreated:Post", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload", "ObjectRemoved:Delete"',
            ).split(', "ObjectRemoved:Delete"')[0],
          ),
          error.message,
        );
        assert.ok(error.message.includes('"Replication:OperationNotTracked", "LifecycleExpiration:Delete"'));
        assert.ok(error.message.endsWith(`"ObjectAcl:Put"); ${EXPECTED}`), error.message);
        return true;
      },
    );
    const prefixed = s3();
    prefixed.Records[0].eventName = "s3:ObjectCreated:Put";
    assert.equal(parseS3Notifications(prefixed)[0].eventName, "ObjectCreated:Put");
  });

  it("refuses a sequencer that is not hexadecimal, in either envelope", () => {
    const event = s3();
    event.Records[0].s3.object.sequencer = "0055AED6DCD9028Z";
    assert.throws(() => parseS3Notifications(event), {
      message: structure(
        'Records.0.s3.object.sequencer: "0055AED6DCD9028Z" is not a sequencer (S3 writes it in hexadecimal digits)',
      ),
    });
    const base = bridge();
    const bad = {
      ...base,
      detail: { ...base.detail, object: { ...(base.detail.object as object), sequencer: "" } },
    };
    assert.throws(() => parseS3Notifications(bad), {
      message:
        "parseS3Notifications: received the event: an aws.s3 EventBridge event that does not match S3's structure " +
        `(detail.object.sequencer: "" is not a sequencer (S3 writes it in hexadecimal digits)); ${EXPECTED}`,
    });
  });

  it("refuses a field that exists only on a prototype, naming it", () => {
    const event = s3();
    const object = event.Records[0].s3.object;
    const { key, ...own } = object;
    event.Records[0].s3.object = Object.assign(Object.create({ key }) as object, own);
    assert.throws(() => parseS3Notifications(event), {
      message: structure(
        "Records.0.s3.object.key: found only on the value's prototype, not as a field of its own",
      ),
    });
    const sqs = fixture("sqs-s3-put.json") as { Records: unknown[] };
    const inherited = Object.create({ Records: sqs.Records }) as object;
    assert.throws(() => parseS3Notifications(inherited), {
      message:
        "parseS3Notifications: received an empty object whose Records are found only on its prototype, not as a " +
        `field of its own; ${EXPECTED}`,
    });
  });

  it("reports a field's own fault before a strict one, and the first strict fault only when all else passed", () => {
    const event = s3();
    event.Records[0].s3.object.size = -1;
    event.Records[0].s3.object.key = "100%.jpg";
    assert.throws(() => parseS3Notifications(event), {
      message:
        'parseS3Notifications: received the event Records[0] key "100%.jpg", which is not URL-encoded as S3 writes keys ' +
        "(URI malformed); expected a key URL-encoded with + for space and %XX escapes.",
    });
  });
});
