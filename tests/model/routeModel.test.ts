import { strict as assert } from "node:assert";
import {
  expandEventType,
  resolveEventSelectors,
  sharedEventTypes,
  eventNameMatches,
  EventSelector,
} from "../../model/eventTypes";
import {
  encodeFilterValue,
  decodeS3Key,
  filtersOverlap,
  validateObjectFilter,
  filterMatchesKey,
} from "../../model/objectFilter";
import {
  describeTriggerCycle,
  findOverlaps,
  findTriggerCycle,
  validateBucketRoutes,
  validateRoute,
  RouteSpec,
} from "../../model/routeModel";

describe("event catalogue", () => {
  it("expands wildcard families to their concrete types", () => {
    assert.deepEqual(expandEventType("s3:ObjectCreated:*"), [
      "s3:ObjectCreated:Put",
      "s3:ObjectCreated:Post",
      "s3:ObjectCreated:Copy",
      "s3:ObjectCreated:CompleteMultipartUpload",
    ]);
    assert.deepEqual(expandEventType("s3:ObjectAcl:Put"), ["s3:ObjectAcl:Put"]);
  });

  it("resolves friendly names and drops concrete types covered by a wildcard", () => {
    assert.deepEqual(resolveEventSelectors(["s3:ObjectCreated:Put", "created", "removed"], "x"), [
      "s3:ObjectCreated:*",
      "s3:ObjectRemoved:*",
    ]);
    assert.deepEqual(resolveEventSelectors(["lifecycle"], "x"), [
      "s3:LifecycleExpiration:*",
      "s3:LifecycleTransition",
    ]);
  });

  it("rejects an unknown event and an empty list with exact messages", () => {
    assert.throws(
      () => resolveEventSelectors(["s3:ObjectCreated"], 'Bucket "b", route "r"'),
      new Error(
        'Bucket "b", route "r": unknown event type "s3:ObjectCreated". Use a friendly name (created, removed, restored, tagging, acl, lifecycle, lifecycle-expiration, lifecycle-transition, intelligent-tiering, replication, reduced-redundancy-lost) or an exact S3 event type such as "s3:ObjectCreated:Put" or "s3:ObjectCreated:*". Did you mean "s3:ObjectCreated:*"?',
      ),
    );
    assert.throws(
      () => resolveEventSelectors([], 'Bucket "b", route "r"'),
      new Error(
        'Bucket "b", route "r": the event list is empty. Name at least one event, for example ["created"] or ["s3:ObjectCreated:Put"].',
      ),
    );
  });

  it("finds shared types across wildcards and concrete names", () => {
    assert.deepEqual(sharedEventTypes(["s3:ObjectCreated:*"], ["s3:ObjectCreated:Put"]), [
      "s3:ObjectCreated:Put",
    ]);
    assert.deepEqual(sharedEventTypes(["s3:ObjectCreated:*"], ["s3:ObjectRemoved:*"]), []);
  });

  it("matches record event names against selected types", () => {
    assert.equal(eventNameMatches("ObjectCreated:Put", ["s3:ObjectCreated:*"]), true);
    assert.equal(eventNameMatches("ObjectRemoved:Delete", ["s3:ObjectCreated:*"]), false);
    assert.equal(eventNameMatches("s3:ObjectAcl:Put", ["s3:ObjectAcl:Put"]), true);
  });
});

describe("object filters", () => {
  it("encodes filter values as S3 stores them", () => {
    assert.equal(encodeFilterValue("raw photos/"), "raw+photos/");
    assert.equal(encodeFilterValue("a+b/é=1"), "a%2Bb/%C3%A9%3D1");
    assert.equal(decodeS3Key("raw+photos/%C3%A9t%C3%A9.jpg"), "raw photos/été.jpg");
  });

  it("applies S3's overlap rule to prefixes and suffixes", () => {
    assert.equal(filtersOverlap({ prefix: "images/" }, { prefix: "images/thumbs/" }), true);
    assert.equal(filtersOverlap({ prefix: "images/" }, { prefix: "docs/" }), false);
    assert.equal(filtersOverlap({}, { prefix: "docs/" }), true);
    assert.equal(filtersOverlap({ suffix: ".jpg" }, { suffix: ".png" }), false);
    assert.equal(filtersOverlap({ suffix: "photo.jpg" }, { suffix: ".jpg" }), true);
    assert.equal(filtersOverlap({ prefix: "a/", suffix: ".jpg" }, { prefix: "a/", suffix: ".png" }), false);
  });

  it("refuses a leading slash, wildcards and values too long", () => {
    assert.throws(
      () => validateObjectFilter({ prefix: "/images/" }, "R"),
      new Error(
        'R: filter prefix "/images/" starts with "/". S3 keys have no leading slash, so it would never match: write "images/".',
      ),
    );
    assert.throws(
      () => validateObjectFilter({ suffix: "*.jpg" }, "R"),
      new Error(
        'R: filter suffix "*.jpg" contains "*". S3 filters match literal suffixes and have no wildcards: remove the "*" (a missing suffix already means "any").',
      ),
    );
    assert.throws(
      () => validateObjectFilter({ prefix: " ".repeat(1025) }, "R"),
      new Error("R: filter prefix is 1025 characters once URL-encoded; S3 accepts at most 1024."),
    );
    assert.deepEqual(validateObjectFilter({ prefix: "", suffix: ".jpg" }, "R"), { suffix: ".jpg" });
  });

  it("matches decoded keys", () => {
    assert.equal(filterMatchesKey({ prefix: "raw photos/", suffix: ".jpg" }, "raw photos/a b.jpg"), true);
    assert.equal(filterMatchesKey({ prefix: "raw photos/" }, "raw+photos/a.jpg"), false);
  });
});

describe("route validation", () => {
  const spec = (
    name: string,
    events: EventSelector[],
    filter = {},
    delivery: "native" | "eventbridge" = "native",
  ): RouteSpec => validateRoute("uploads", { name, events, filter, delivery }, 0, `target-${name}`);

  it("names both routes, what they share and the fix when native routes overlap", () => {
    const routes = [
      spec("thumbs", ["s3:ObjectCreated:Put"], { prefix: "images/" }),
      spec("all", ["created"]),
    ];
    assert.throws(
      () => validateBucketRoutes("uploads", routes),
      new Error(
        'Routes "thumbs" and "all" on bucket "uploads" overlap: both receive s3:ObjectCreated:Put and their filters (prefix "images/" vs the whole bucket) can match the same key, which S3 rejects ("Configuration is ambiguously defined"). Fan out through one SNS topic subscribed by both consumers, deliver one of them through EventBridge (delivery: "eventbridge"), or make their prefixes or suffixes disjoint.',
      ),
    );
  });

  it("accepts disjoint filters, disjoint events and EventBridge routes", () => {
    const routes = [
      spec("jpg", ["created"], { prefix: "images/", suffix: ".jpg" }),
      spec("png", ["created"], { prefix: "images/", suffix: ".png" }),
      spec("gone", ["removed"], { prefix: "images/" }),
      spec("docs", ["created"], { prefix: "docs/" }),
      spec("bridge", ["created"], {}, "eventbridge"),
    ];
    assert.doesNotThrow(() => validateBucketRoutes("uploads", routes));
    assert.deepEqual(findOverlaps(routes), [
      {
        a: routes[0],
        b: routes[4],
        shared: [
          "s3:ObjectCreated:Put",
          "s3:ObjectCreated:Post",
          "s3:ObjectCreated:Copy",
          "s3:ObjectCreated:CompleteMultipartUpload",
        ],
      },
      {
        a: routes[1],
        b: routes[4],
        shared: [
          "s3:ObjectCreated:Put",
          "s3:ObjectCreated:Post",
          "s3:ObjectCreated:Copy",
          "s3:ObjectCreated:CompleteMultipartUpload",
        ],
      },
      {
        a: routes[3],
        b: routes[4],
        shared: [
          "s3:ObjectCreated:Put",
          "s3:ObjectCreated:Post",
          "s3:ObjectCreated:Copy",
          "s3:ObjectCreated:CompleteMultipartUpload",
        ],
      },
    ]);
  });

  it("refuses duplicate names and invalid names", () => {
    assert.throws(
      () =>
        validateBucketRoutes("uploads", [spec("a", ["created"], { prefix: "x/" }), spec("a", ["removed"])]),
      new Error('Bucket "uploads": two routes are named "a". Give each route a unique name.'),
    );
    assert.throws(
      () => validateRoute("uploads", { name: "bad name", events: ["created"] }, 0, "t"),
      new Error(
        'Bucket "uploads", route "bad name": the name must start with a letter or digit and hold at most 63 letters, digits, ".", "_" or "-".',
      ),
    );
  });

  it("refuses a route whose target writes into what it is notified of", () => {
    const loop = validateRoute(
      "uploads",
      { name: "thumbs", events: ["created"], filter: { prefix: "images/" } },
      0,
      'function "thumbnailer"',
      [{ bucket: "self", filter: { prefix: "images/thumbs/" } }],
    );
    assert.throws(
      () => validateBucketRoutes("uploads", [loop]),
      new Error(
        'Bucket "uploads", route "thumbs": its target function "thumbnailer" writes objects (prefix "images/thumbs/") into this bucket that the route itself is notified of (prefix "images/"), so it would invoke itself forever. Write to another bucket or to a prefix outside the route\'s filter, or narrow the route\'s filter.',
      ),
    );
    const safe = validateRoute(
      "uploads",
      { name: "thumbs", events: ["created"], filter: { prefix: "images/" } },
      0,
      "t",
      [{ bucket: "self", filter: { prefix: "thumbnails/" } }],
    );
    assert.doesNotThrow(() => validateBucketRoutes("uploads", [safe]));
  });
});

describe("trigger chains across buckets (findTriggerCycle)", () => {
  const route = (
    name: string,
    prefix: string,
    writes: { bucket: string; prefix: string }[],
    events: EventSelector[] = ["created"],
  ) =>
    validateRoute(
      "b",
      { name, events, filter: { prefix } },
      0,
      `lambda "${name}"`,
      writes.map((w) => ({ bucket: w.bucket, filter: { prefix: w.prefix } })),
    );

  it("follows A → B → A by physical bucket name and returns the steps from the route being added", () => {
    const a = {
      bucket: "a-bucket",
      label: 'bucket "a-bucket"',
      routes: [route("fwd", "in/", [{ bucket: "b-bucket", prefix: "out/" }])],
    };
    const b = {
      bucket: "b-bucket",
      label: 'bucket "b-bucket"',
      routes: [route("back", "out/", [{ bucket: "a-bucket", prefix: "in/x/" }])],
    };
    const steps = findTriggerCycle([a, b], { bucket: "b-bucket", route: "back" });
    assert.deepEqual(
      steps?.map((s) => [s.bucket.bucket, s.route.name, s.write.bucket]),
      [
        ["b-bucket", "back", "a-bucket"],
        ["a-bucket", "fwd", "b-bucket"],
      ],
    );
    assert.equal(
      describeTriggerCycle('Bucket "b", route "back"', steps!),
      'Bucket "b", route "back": its target lambda "back" writes objects (prefix "in/x/") into bucket "a-bucket", where ' +
        'route "fwd" (prefix "in/") sends them to lambda "fwd", which writes objects (prefix "out/") into bucket ' +
        '"b-bucket", where route "back" (prefix "out/") is notified of them again: every object written triggers the ' +
        "chain again, forever. At one of these steps write to a prefix outside the next route's filter, or narrow that route's filter.",
    );
  });

  it("treats two components with the same key as one bucket, and finds chains of three", () => {
    const a1 = { bucket: "a", label: "a1", routes: [route("r1", "1/", [{ bucket: "b", prefix: "2/" }])] };
    const b = { bucket: "b", label: "b", routes: [route("r2", "2/", [{ bucket: "a", prefix: "3/" }])] };
    const a2 = { bucket: "a", label: "a2", routes: [route("r3", "3/", [{ bucket: "self", prefix: "1/" }])] };
    const steps = findTriggerCycle([a1, b, a2], { bucket: "a", route: "r1" });
    assert.deepEqual(
      steps?.map((s) => s.route.name),
      ["r1", "r2", "r3"],
    );
  });

  it("finds nothing when a chain ends: disjoint filters, a route not on creation, or another bucket", () => {
    const a = { bucket: "a", label: "a", routes: [route("r1", "in/", [{ bucket: "b", prefix: "out/" }])] };
    const disjoint = {
      bucket: "b",
      label: "b",
      routes: [route("r2", "out/", [{ bucket: "a", prefix: "done/" }])],
    };
    assert.equal(findTriggerCycle([a, disjoint], { bucket: "a", route: "r1" }), undefined);
    const onRemoval = {
      bucket: "b",
      label: "b",
      routes: [route("r2", "out/", [{ bucket: "a", prefix: "in/" }], ["removed"])],
    };
    assert.equal(findTriggerCycle([a, onRemoval], { bucket: "a", route: "r1" }), undefined);
    const elsewhere = {
      bucket: "b",
      label: "b",
      routes: [route("r2", "out/", [{ bucket: "c", prefix: "in/" }])],
    };
    assert.equal(findTriggerCycle([a, elsewhere], { bucket: "a", route: "r1" }), undefined);
  });
});
