import { strict as assert } from "node:assert";
import {
  NotificationEntry,
  MAX_ID_LENGTH,
  MAX_NAMESPACE_LENGTH,
  S3NotificationConfiguration,
  findConflicts,
  mergeConfiguration,
  nameDigest,
  ownershipId,
  ownershipNamespace,
  describeWriter,
  parseOwnershipId,
  sameConfiguration,
  splitConfiguration,
} from "../../model/notificationMerge";

describe("ownership Ids", () => {
  it("read pulumi:<project>:<stack>:<route> and parse back", () => {
    const id = ownershipId(ownershipNamespace("photo-app", "prod"), "thumbnails");
    assert.equal(id, "pulumi:photo-app:prod:thumbnails");
    assert.deepEqual(parseOwnershipId(id), { project: "photo-app", stack: "prod", route: "thumbnails" });
    assert.equal(parseOwnershipId("NjA1ZjQ0YTMt-console"), undefined);
  });

  it("shorten long project and stack names deterministically, keep their beginnings, and fit 255 characters", () => {
    const project = `p${"r".repeat(99)}`;
    const stack = `s${"t".repeat(99)}`;
    const ns = ownershipNamespace(project, stack);
    assert.equal(ns, ownershipNamespace(project, stack), "stable across runs");
    assert.equal(ns.length, MAX_NAMESPACE_LENGTH);
    assert.equal(
      ns,
      `pulumi:${project.slice(0, 82)}~${nameDigest(project)}:${stack.slice(0, 83)}~${nameDigest(stack)}`,
    );
    assert.ok(ownershipId(ns, "r".repeat(63)).length <= MAX_ID_LENGTH);
    assert.ok(parseOwnershipId(ownershipId(ns, "route")));
    // Two long names with the same beginning stay apart.
    assert.notEqual(ownershipNamespace(`${project}x`, stack), ownershipNamespace(`${project}y`, stack));
    // A short name is left whole; the long one takes the rest of the room.
    const shortProject = ownershipNamespace("app", "s".repeat(200));
    assert.equal(shortProject.length, MAX_NAMESPACE_LENGTH);
    assert.ok(shortProject.startsWith("pulumi:app:sss"));
    assert.equal(ownershipNamespace("app", "dev"), "pulumi:app:dev");
  });

  it("read pulumi:<organization>:<project>:<stack>:<route>, so two organizations' stacks of the same names stay apart", () => {
    const acme = ownershipId(ownershipNamespace("photo-app", "prod", "acme"), "thumbnails");
    const globex = ownershipId(ownershipNamespace("photo-app", "prod", "globex"), "thumbnails");
    assert.equal(acme, "pulumi:acme:photo-app:prod:thumbnails");
    assert.notEqual(acme, globex);
    assert.deepEqual(parseOwnershipId(acme), {
      organization: "acme",
      project: "photo-app",
      stack: "prod",
      route: "thumbnails",
    });
    // The legacy Id (no organization) still parses, without an organization.
    assert.deepEqual(parseOwnershipId("pulumi:photo-app:prod:thumbnails"), {
      project: "photo-app",
      stack: "prod",
      route: "thumbnails",
    });
  });

  it("shorten long organization, project and stack names deterministically within 255 characters", () => {
    const org = `o${"g".repeat(99)}`;
    const project = `p${"r".repeat(99)}`;
    const stack = `s${"t".repeat(99)}`;
    const ns = ownershipNamespace(project, stack, org);
    assert.equal(ns, ownershipNamespace(project, stack, org), "stable across runs");
    assert.equal(ns.length, MAX_NAMESPACE_LENGTH);
    assert.equal(
      ns,
      // 182 characters for three names: 60 each, the 2 left over go to the first.
      `pulumi:${org.slice(0, 53)}~${nameDigest(org)}:${project.slice(0, 51)}~${nameDigest(project)}:` +
        `${stack.slice(0, 51)}~${nameDigest(stack)}`,
    );
    assert.ok(ownershipId(ns, "r".repeat(63)).length <= MAX_ID_LENGTH);
    assert.equal(parseOwnershipId(ownershipId(ns, "route"))?.route, "route");
    assert.notEqual(
      ownershipNamespace(project, stack, `${org}x`),
      ownershipNamespace(project, stack, `${org}y`),
    );
    // Short names are left whole; the long one takes the rest of the room.
    const long = ownershipNamespace("app", "s".repeat(300), "acme");
    assert.equal(long.length, MAX_NAMESPACE_LENGTH);
    assert.ok(long.startsWith("pulumi:acme:app:sss"));
    assert.throws(
      () => ownershipNamespace("app", "dev", "my org"),
      /^Error: The organization name "my org" cannot be part of a notification Id/,
    );
  });

  it("name the writer of a foreign entry: another organization, or a legacy Id of the same names", () => {
    const ns = ownershipNamespace("photo-app", "prod", "acme");
    assert.equal(
      describeWriter("pulumi:globex:photo-app:prod:thumbs", ns),
      'stack "prod" of project "photo-app" in organization "globex" (route "thumbs")',
    );
    assert.equal(
      describeWriter("pulumi:photo-app:prod:thumbs", ns),
      'stack "prod" of project "photo-app" (route "thumbs"; a legacy Id without the organization, written by an ' +
        "earlier version of this stack or by a stack of the same names in another organization)",
    );
    assert.equal(
      describeWriter("pulumi:acme:photo-app:prod:other", ns),
      'another resource of this stack (route "other"; adopt the bucket with one EventBucket per stack)',
    );
  });

  it("refuse names a Pulumi name cannot hold", () => {
    assert.throws(
      () => ownershipNamespace("my app", "dev"),
      /^Error: The project name "my app" cannot be part of a notification Id: use letters, digits, "-", "_" and "." only\.$/,
    );
  });
});

describe("merging a shared configuration", () => {
  const live: S3NotificationConfiguration = {
    QueueConfigurations: [
      { Id: "console", QueueArn: "arn:q:console", Events: ["s3:ObjectRemoved:*"] },
      { Id: "pulumi:app:dev:old", QueueArn: "arn:q:old", Events: ["s3:ObjectCreated:*"] },
    ],
    EventBridgeConfiguration: {},
  };
  const ours: NotificationEntry[] = [
    {
      kind: "sns",
      id: "pulumi:app:dev:new",
      arn: "arn:t:new",
      events: ["s3:ObjectCreated:*"],
      prefix: "a+b/",
    },
  ];
  const owned = new Set(["pulumi:app:dev:old", "pulumi:app:dev:new"]);

  it("keeps foreign entries as read, replaces ours, and never turns EventBridge off", () => {
    assert.deepEqual(mergeConfiguration(live, owned, ours, false), {
      QueueConfigurations: [{ Id: "console", QueueArn: "arn:q:console", Events: ["s3:ObjectRemoved:*"] }],
      TopicConfigurations: [
        {
          Id: "pulumi:app:dev:new",
          TopicArn: "arn:t:new",
          Events: ["s3:ObjectCreated:*"],
          Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "a+b/" }] } },
        },
      ],
      EventBridgeConfiguration: {},
    });
    assert.deepEqual(mergeConfiguration({}, owned, [], true), { EventBridgeConfiguration: {} });
  });

  it("splits by Id only: another resource's entries in this stack's namespace are foreign", () => {
    const { ours: mine, foreign } = splitConfiguration(live, new Set(["pulumi:app:dev:new"]));
    assert.deepEqual(mine, []);
    assert.deepEqual(
      foreign.map((e) => e.id),
      ["console", "pulumi:app:dev:old"],
    );
  });

  it("compares configurations as S3 does: any order, filter names in any case, values decoded", () => {
    const a: S3NotificationConfiguration = {
      LambdaFunctionConfigurations: [
        {
          Id: "x",
          LambdaFunctionArn: "arn:f",
          Events: ["s3:ObjectCreated:Put", "s3:ObjectRemoved:*"],
          Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "raw+photos/" }] } },
        },
      ],
    };
    const b: S3NotificationConfiguration = {
      LambdaFunctionConfigurations: [
        {
          Id: "x",
          LambdaFunctionArn: "arn:f",
          Events: ["s3:ObjectRemoved:*", "s3:ObjectCreated:Put"],
          Filter: { Key: { FilterRules: [{ Name: "Prefix", Value: "raw%20photos/" }] } },
        },
      ],
    };
    assert.ok(sameConfiguration(a, b));
    assert.ok(!sameConfiguration(a, { ...b, EventBridgeConfiguration: {} }));
  });

  it("reports no conflict between disjoint entries, and one per overlapping foreign entry", () => {
    const foreign: NotificationEntry[] = [
      { kind: "sqs", id: "console", arn: "arn:q", events: ["s3:ObjectCreated:Put"], prefix: "logs/" },
      { kind: "sqs", id: "other", arn: "arn:q2", events: ["s3:ObjectRemoved:*"] },
    ];
    const mine: NotificationEntry[] = [
      { kind: "sns", id: "pulumi:app:dev:r", arn: "arn:t", events: ["s3:ObjectCreated:*"], prefix: "img/" },
    ];
    assert.deepEqual(findConflicts("b", "pulumi:app:dev", foreign, mine), []);
    const wide: NotificationEntry[] = [{ ...mine[0], prefix: undefined }];
    assert.equal(findConflicts("b", "pulumi:app:dev", foreign, wide).length, 1);
  });
});
