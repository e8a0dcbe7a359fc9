import { strict as assert } from "node:assert";
import type { RecordedResource } from "../../components/testing/mockEngine";
import { downstreamOf, mermaidFlowchart, PlanRoute } from "../../cli/planReport";

/** A recorded registration with only what the diagram reads. */
function resource(
  type: string,
  name: string,
  parent?: string,
  inputs: Record<string, unknown> = {},
): RecordedResource {
  return {
    type,
    name,
    urn: `urn:pulumi:dev::p::${type}::${name}`,
    parent,
    custom: !type.startsWith("s3-event-routes:"),
    inputs,
    secretInputs: [],
    dependencies: [],
    propertyDependencies: {},
    protect: false,
    state: {},
  } as RecordedResource;
}

describe("the routes diagram", () => {
  const topic = resource("s3-event-routes:index:TopicTarget", "activity");
  const queue = resource("s3-event-routes:index:QueueTarget", "jobs");
  const resources = [
    topic,
    resource("aws:sns/topicSubscription:TopicSubscription", "activity-sub-1", topic.urn, {
      protocol: "email",
      endpoint: "ops@example.com",
    }),
    resource("aws:sns/topicSubscription:TopicSubscription", "activity-sub-2", topic.urn, {
      protocol: "sqs",
      endpoint: "arn:aws:sqs:us-east-1:123456789012:audit",
    }),
    resource("s3-event-routes:index:DeadLetterQueue", "activity-delivery-failures", topic.urn),
    queue,
    resource("aws:lambda/eventSourceMapping:EventSourceMapping", "jobs-consumer", queue.urn, {
      functionName: "worker-mock",
    }),
    resource("s3-event-routes:index:DeadLetterQueue", "jobs-dlq", queue.urn),
  ];
  const routes: PlanRoute[] = [
    {
      bucket: "uploads",
      route: "activity",
      events: ["s3:ObjectCreated:*"],
      delivery: "native",
      target: 'sns "activity"',
    },
    {
      bucket: "uploads",
      route: "jobs",
      events: ["s3:ObjectCreated:*"],
      prefix: "jobs/",
      delivery: "native",
      target: 'sqs "jobs"',
    },
  ];

  it("finds each target's subscribers, queue consumers and dead-letter queues", () => {
    assert.deepEqual(Object.fromEntries(downstreamOf(routes, resources)), {
      'sns "activity"': [
        { kind: "subscriber", label: "email ops@example.com" },
        { kind: "subscriber", label: "sqs audit" },
        { kind: "dlq", label: "DLQ activity-delivery-failures" },
      ],
      'sqs "jobs"': [
        { kind: "consumer", label: "lambda worker-mock" },
        { kind: "dlq", label: "DLQ jobs-dlq" },
      ],
    });
  });

  it("draws them after bucket → route → target, failures dotted", () => {
    assert.equal(
      mermaidFlowchart(routes, resources),
      [
        "flowchart LR",
        '  b_uploads[("bucket uploads")]',
        '  r_uploads_activity["activity<br/>s3:ObjectCreated:*<br/>the whole bucket"]',
        "  t_sns__activity_{{\"sns 'activity'\"}}",
        "  b_uploads --> r_uploads_activity",
        "  r_uploads_activity -- native --> t_sns__activity_",
        "  r_uploads_jobs[\"jobs<br/>s3:ObjectCreated:*<br/>prefix 'jobs/'\"]",
        "  t_sqs__jobs_{{\"sqs 'jobs'\"}}",
        "  b_uploads --> r_uploads_jobs",
        "  r_uploads_jobs -- native --> t_sqs__jobs_",
        '  s_email_ops_example_com(["email ops@example.com"])',
        "  t_sns__activity_ --> s_email_ops_example_com",
        '  s_sqs_audit(["sqs audit"])',
        "  t_sns__activity_ --> s_sqs_audit",
        '  q_DLQ_activity_delivery_failures[/"DLQ activity-delivery-failures"/]',
        "  t_sns__activity_ -. failures .-> q_DLQ_activity_delivery_failures",
        '  s_lambda_worker_mock(["lambda worker-mock"])',
        "  t_sqs__jobs_ --> s_lambda_worker_mock",
        '  q_DLQ_jobs_dlq[/"DLQ jobs-dlq"/]',
        "  t_sqs__jobs_ -. failures .-> q_DLQ_jobs_dlq",
      ].join("\n"),
    );
  });

  it("without resources, draws only bucket → route → target (as before)", () => {
    assert.equal(
      mermaidFlowchart(routes),
      mermaidFlowchart(routes, resources).split("\n").slice(0, 10).join("\n"),
    );
  });
});
