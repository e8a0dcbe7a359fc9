/**
 * The local loop's workflows, run by aws-local-stepfunctions with the loop's glue: the exact steps,
 * outputs and errors of the ready workflow's paths and of a user's own definition (Choice, Pass,
 * Map, Parallel, Wait, Fail), and what the glue refuses to simulate.
 */
import { strict as assert } from "node:assert";
import { processingWorkflowDefinition } from "../../components/stateMachineTarget";
import { runExecution, StateMachineServices, StatesError } from "../../cli/local/stateMachine";

const ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
const FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:processor";

/** Services that record every call, answering with what the case gives. */
function recordingServices(o: {
  contentType?: string;
  headError?: Error;
  processor?: (payload: unknown) => unknown;
  putErrors?: Error[];
}) {
  const calls: string[] = [];
  const putErrors = [...(o.putErrors ?? [])];
  const services: StateMachineServices = {
    awsSdk: async (service, action, parameters) => {
      calls.push(`${service}:${action} ${JSON.stringify(parameters)}`);
      if (o.headError) throw o.headError;
      return { $metadata: { httpStatusCode: 200 }, ContentType: o.contentType, ContentLength: 5 };
    },
    invokeFunction: async (name, payload) => {
      calls.push(`invoke ${name.split(":").pop()} ${JSON.stringify(payload)}`);
      return o.processor ? o.processor(payload) : { ok: true };
    },
    putItem: async (table, item) => {
      const error = putErrors.shift();
      calls.push(`putItem ${table} ${error ? "throws" : JSON.stringify(item.pk)}`);
      if (error) throw error;
    },
    publish: async (topicArn, message, subject) => {
      calls.push(`publish ${topicArn.split(":").pop()} ${subject ?? "-"} ${message}`);
      return "sns-message-1";
    },
    sendMessage: async (queueUrl, body) => {
      calls.push(`sendMessage ${queueUrl} ${body}`);
      return "sqs-message-1";
    },
  };
  return { services, calls };
}

/** When each step was reported, and the milliseconds between two of them. */
function stepTimes() {
  const times: number[] = [];
  return {
    onStep: () => void times.push(Date.now()),
    between: (from: number, to: number) => times[to] - times[from],
  };
}

const notes = (steps: { name: string; note: string }[]) => steps.map((s) => `${s.name}: ${s.note}`);

describe("local loop: workflows through aws-local-stepfunctions", () => {
  const ready = processingWorkflowDefinition(FUNCTION, "results", ["application/pdf"]);
  const RECORDED =
    'RecordResult: dynamodb:putItem into results → {"pk":{"S":"b/invoices/a.pdf"},"eventId":{"S":"e-1"},"time":{"S":"2025-11-12T10:15:30Z"},"contentType":{"S":"applicat...';
  const input = { id: "e-1", time: "2025-11-12T10:15:30Z", bucket: "b", key: "invoices/a.pdf" };

  it("runs the ready workflow's success path with the exact steps, calls and output", async () => {
    const { services, calls } = recordingServices({ contentType: "application/pdf" });

    const result = await runExecution(ARN, ready, input, services);

    assert.equal(result.status, "SUCCEEDED");
    assert.deepEqual(notes(result.steps), [
      'ReadMetadata: s3:headObject → {"ContentType":"application/pdf","ContentLength":5}',
      "ByContentType: → Process",
      'Process: lambda:invoke processor → {"ok":true}',
      RECORDED,
    ]);
    assert.deepEqual(calls, [
      's3:headObject {"Bucket":"b","Key":"invoices/a.pdf"}',
      `invoke processor ${JSON.stringify({ ...input, metadata: { contentType: "application/pdf", contentLength: 5 } })}`,
      'putItem results {"S":"b/invoices/a.pdf"}',
    ]);
    assert.deepEqual(result.output, {
      ...input,
      metadata: { contentType: "application/pdf", contentLength: 5 },
      processed: { result: { ok: true } },
    });
    assert.equal(result.error, undefined);
  });

  it("retries the record step per its Retry (States.ALL, 3 attempts), then succeeds without waiting", async () => {
    const throttled = Object.assign(new Error("Rate exceeded"), {
      name: "ProvisionedThroughputExceededException",
    });
    const { services, calls } = recordingServices({
      contentType: "application/pdf",
      putErrors: [throttled, throttled],
    });

    const at = stepTimes();
    const result = await runExecution(ARN, ready, input, services, at.onStep);

    assert.equal(result.status, "SUCCEEDED");
    // AWS waits 2 s, then 4 s (IntervalSeconds 2, BackoffRate 2) between the three attempts.
    assert.ok(at.between(3, 5) < 1000, `the retries waited ${at.between(3, 5)} ms`);
    assert.deepEqual(notes(result.steps).slice(3), [
      "RecordResult: DynamoDB.ProvisionedThroughputExceededException; retried (attempt 2, no back-off locally)",
      "RecordResult: DynamoDB.ProvisionedThroughputExceededException; retried (attempt 3, no back-off locally)",
      RECORDED,
    ]);
    assert.deepEqual(
      calls.filter((c) => c.startsWith("putItem")),
      ["putItem results throws", "putItem results throws", 'putItem results {"S":"b/invoices/a.pdf"}'],
    );
  });

  it("fails the execution after the last retry, with the service's error and cause", async () => {
    const throttled = Object.assign(new Error("Rate exceeded"), {
      name: "ProvisionedThroughputExceededException",
    });
    const { services } = recordingServices({
      contentType: "application/pdf",
      putErrors: [throttled, throttled, throttled, throttled],
    });

    const result = await runExecution(ARN, ready, input, services);

    assert.deepEqual(
      [result.status, result.error, result.output],
      [
        "FAILED",
        { Error: "DynamoDB.ProvisionedThroughputExceededException", Cause: "Rate exceeded" },
        undefined,
      ],
    );
    assert.deepEqual(notes(result.steps).slice(-2), [
      "RecordResult: DynamoDB.ProvisionedThroughputExceededException; retried (attempt 4, no back-off locally)",
      "RecordResult: failed: DynamoDB.ProvisionedThroughputExceededException",
    ]);
  });

  it("does not retry the processor's own error (not in its Retry) and fails with it as Step Functions reports it", async () => {
    const { services, calls } = recordingServices({
      contentType: "application/pdf",
      processor: () => {
        throw new RangeError("page 3 is unreadable");
      },
    });

    const result = await runExecution(ARN, ready, input, services);

    assert.deepEqual(
      [result.status, result.error],
      [
        "FAILED",
        { Error: "RangeError", Cause: '{"errorMessage":"page 3 is unreadable","errorType":"RangeError"}' },
      ],
    );
    assert.equal(calls.filter((c) => c.startsWith("invoke")).length, 1);
    assert.deepEqual(notes(result.steps).slice(-1), ["Process: failed: RangeError"]);
  });

  it("catches a vanished object into ObjectGone, after its own retrier let it through", async () => {
    const gone = Object.assign(new Error("Not Found"), { name: "NotFound" });
    const { services } = recordingServices({ headError: gone });

    const result = await runExecution(ARN, ready, input, services);

    assert.deepEqual(
      [result.status, notes(result.steps), result.output],
      [
        "SUCCEEDED",
        ["ReadMetadata: S3.NotFoundException caught → ObjectGone", "ObjectGone: succeeded"],
        { ...input, error: { Error: "S3.NotFoundException", Cause: "Not Found" } },
      ],
    );
  });

  it("takes the Default branch when no rule matches", async () => {
    const { services } = recordingServices({ contentType: "text/plain" });

    const result = await runExecution(ARN, ready, input, services);

    assert.deepEqual(notes(result.steps).slice(1), [
      "ByContentType: no rule matched → Skipped (Default)",
      "Skipped: succeeded",
    ]);
  });

  describe("a user's own definition", () => {
    const definition = {
      StartAt: "Shape",
      States: {
        Shape: {
          Type: "Pass",
          Parameters: {
            "key.$": "$.key",
            "sizes.$": "States.Array(64, 128)",
            "tag.$": "States.Format('{}!', $.key)",
          },
          Next: "Pause",
        },
        Pause: { Type: "Wait", Seconds: 3600, Next: "Large" },
        Large: {
          Type: "Choice",
          Choices: [{ Variable: "$.key", StringMatches: "*.png", Next: "Each" }],
          Default: "Rejected",
        },
        Each: {
          Type: "Map",
          ItemsPath: "$.sizes",
          ItemSelector: { "size.$": "$$.Map.Item.Value", "key.$": "$.key" },
          ItemProcessor: {
            ProcessorConfig: { Mode: "INLINE" },
            StartAt: "Resize",
            States: { Resize: { Type: "Task", Resource: FUNCTION, End: true } },
          },
          ResultPath: "$.resized",
          Next: "Tell",
        },
        Tell: {
          Type: "Parallel",
          Branches: [
            {
              StartAt: "Notify",
              States: {
                Notify: {
                  Type: "Task",
                  Resource: "arn:aws:states:::sns:publish",
                  Parameters: {
                    TopicArn: "arn:aws:sns:us-east-1:123456789012:done",
                    Subject: "resized",
                    "Message.$": "$.resized",
                  },
                  End: true,
                },
              },
            },
            {
              StartAt: "Enqueue",
              States: {
                Enqueue: {
                  Type: "Task",
                  Resource: "arn:aws:states:::sqs:sendMessage",
                  Parameters: {
                    QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/later",
                    "MessageBody.$": "$.tag",
                  },
                  End: true,
                },
              },
            },
          ],
          ResultSelector: { "sns.$": "$[0].MessageId", "sqs.$": "$[1].MessageId" },
          ResultPath: "$.sent",
          End: true,
        },
        Rejected: { Type: "Fail", Error: "Rejected", Cause: "Not a PNG." },
      },
    };

    it("runs Pass, Wait (not waited), Choice, Map and Parallel to the exact output", async () => {
      const { services, calls } = recordingServices({
        processor: (payload) => `${(payload as { key: string }).key}@${(payload as { size: number }).size}`,
      });

      const at = stepTimes();
      const result = await runExecution(ARN, definition, { key: "a.png" }, services, at.onStep);

      assert.ok(at.between(0, 1) < 1000, `the hour's Wait took ${at.between(0, 1)} ms`);
      assert.deepEqual(result.output, {
        key: "a.png",
        sizes: [64, 128],
        tag: "a.png!",
        resized: ["a.png@64", "a.png@128"],
        sent: { sns: "sns-message-1", sqs: "sqs-message-1" },
      });
      assert.deepEqual(calls.sort(), [
        'invoke processor {"size":128,"key":"a.png"}',
        'invoke processor {"size":64,"key":"a.png"}',
        'publish done resized ["a.png@64","a.png@128"]',
        "sendMessage https://sqs.us-east-1.amazonaws.com/123456789012/later a.png!",
      ]);
      assert.deepEqual(
        result.steps.filter((s) => s.type !== "Task").map((s) => `${s.name}: ${s.note}`),
        [
          "Shape: passed",
          "Pause: not waited locally",
          "Large: → Each",
          "Each: 2 iterations",
          "Tell: 2 branches",
        ],
      );
      assert.deepEqual(
        result.steps
          .filter((s) => s.name === "Resize")
          .map((s) => s.note)
          .sort(),
        ['[0] lambda:invoke processor → "a.png@64"', '[1] lambda:invoke processor → "a.png@128"'].sort(),
      );
    });

    it("ends in its Fail state with the state's error and cause", async () => {
      const { services, calls } = recordingServices({});

      const result = await runExecution(ARN, definition, { key: "a.txt" }, services);

      assert.deepEqual(
        [result.status, result.error, notes(result.steps)],
        [
          "FAILED",
          { Error: "Rejected", Cause: "Not a PNG." },
          [
            "Shape: passed",
            "Pause: not waited locally",
            "Large: no rule matched → Rejected (Default)",
            "Rejected: failed: Rejected",
          ],
        ],
      );
      assert.deepEqual(calls, []);
    });

    it("catches a task's error to a failure path, with the error at the Catch's ResultPath", async () => {
      const caught = {
        StartAt: "Call",
        States: {
          Call: {
            Type: "Task",
            Resource: "arn:aws:states:::lambda:invoke",
            Parameters: { FunctionName: FUNCTION, "Payload.$": "$" },
            Retry: [{ ErrorEquals: ["Lambda.TooManyRequestsException"], MaxAttempts: 2 }],
            Catch: [{ ErrorEquals: ["States.TaskFailed"], ResultPath: "$.failure", Next: "Report" }],
            Next: "Done",
          },
          Report: { Type: "Pass", Parameters: { "error.$": "$.failure.Error" }, End: true },
          Done: { Type: "Succeed" },
        },
      };
      const { services, calls } = recordingServices({
        processor: () => {
          throw new TypeError("boom");
        },
      });

      const result = await runExecution(ARN, caught, { n: 1 }, services);

      assert.deepEqual(
        [result.status, result.output, notes(result.steps)],
        ["SUCCEEDED", { error: "TypeError" }, ["Call: TypeError caught → Report", "Report: passed"]],
      );
      assert.deepEqual(calls, ['invoke processor {"n":1}']);
    });
  });

  it("honours TimeoutSeconds: a Task's (States.Timeout, catchable) and the execution's (TIMED_OUT)", async () => {
    const slow = recordingServices({
      processor: () => new Promise((done) => setTimeout(() => done("late"), 1500)),
    });
    const task = {
      StartAt: "Slow",
      States: {
        Slow: {
          Type: "Task",
          Resource: FUNCTION,
          TimeoutSeconds: 1,
          Catch: [{ ErrorEquals: ["States.Timeout"], ResultPath: "$.timeout", Next: "TooSlow" }],
          End: true,
        },
        TooSlow: { Type: "Pass", End: true },
      },
    };

    const caught = await runExecution(ARN, task, {}, slow.services);
    const timedOut = await runExecution(
      ARN,
      {
        TimeoutSeconds: 1,
        StartAt: "Slow",
        States: { Slow: { Type: "Task", Resource: FUNCTION, End: true } },
      },
      {},
      slow.services,
    );

    assert.deepEqual(
      [caught.status, notes(caught.steps), caught.output],
      [
        "SUCCEEDED",
        ["Slow: States.Timeout caught → TooSlow", "TooSlow: passed"],
        { timeout: { Error: "States.Timeout", Cause: "States.Timeout" } },
      ],
    );
    assert.deepEqual(
      [timedOut.status, timedOut.error],
      ["TIMED_OUT", { Error: "States.Timeout", Cause: "The execution ran past its TimeoutSeconds." }],
    );
  });

  it("fails an execution whose definition Step Functions would refuse, naming the problem", async () => {
    const { services } = recordingServices({});

    const result = await runExecution(
      ARN,
      { StartAt: "Missing", States: { Only: { Type: "Pass", End: true } } },
      {},
      services,
    );

    assert.deepEqual(
      [result.status, result.steps, result.error],
      [
        "FAILED",
        [],
        {
          Error: "States.Runtime",
          Cause:
            "The definition is not valid: State Only is not reachable; Missing 'StartAt'|'Next'|'Default' target: Missing.",
        },
      ],
    );
  });

  describe("what the glue does not simulate", () => {
    const single = (state: Record<string, unknown>) => ({
      StartAt: "Only",
      States: {
        Only: {
          ...state,
          Catch: [{ ErrorEquals: ["States.ALL"], Next: "Caught" }],
          End: true,
        },
        Caught: { Type: "Succeed" },
      },
    });

    it("fails on a task resource it does not answer, uncaught by States.ALL (States.Runtime)", async () => {
      const { services, calls } = recordingServices({});

      const result = await runExecution(
        ARN,
        single({ Type: "Task", Resource: "arn:aws:states:::ecs:runTask.sync", Parameters: {} }),
        {},
        services,
      );

      assert.deepEqual(
        [result.status, result.error, calls],
        [
          "FAILED",
          {
            Error: "States.Runtime",
            Cause: "The task resource arn:aws:states:::ecs:runTask.sync is not simulated locally.",
          },
          [],
        ],
      );
    });

    it("refuses a JSONata definition before running it", async () => {
      const { services } = recordingServices({});

      const result = await runExecution(
        ARN,
        { QueryLanguage: "JSONata", StartAt: "P", States: { P: { Type: "Pass", End: true } } },
        {},
        services,
      );

      assert.deepEqual(
        [result.status, result.steps, result.error],
        [
          "FAILED",
          [],
          {
            Error: "States.Runtime",
            Cause: "JSONata definitions are not simulated locally (aws-local-stepfunctions runs JSONPath).",
          },
        ],
      );
    });

    it("keeps a States error a service threw as it is (the loop's own not-found errors)", async () => {
      const { services } = recordingServices({});
      services.invokeFunction = async (name) => {
        throw new StatesError("Lambda.ResourceNotFoundException", `Function not found: ${name}`);
      };

      const result = await runExecution(
        ARN,
        { StartAt: "Call", States: { Call: { Type: "Task", Resource: FUNCTION, End: true } } },
        {},
        services,
      );

      assert.deepEqual(result.error, {
        Error: "Lambda.ResourceNotFoundException",
        Cause: `Function not found: ${FUNCTION}`,
      });
    });
  });
});
