import { strict as assert } from "node:assert";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { configReader } from "../../handlers/shared/config";
import { parseS3Notifications, S3ObjectEvent } from "../../handlers/shared/events";
import { makeObjectIdempotent } from "../../handlers/shared/idempotency";
import { idempotencySettings } from "../../handlers/shared/idempotencySettings";
import { createObjectHandler, DirectResult } from "../../handlers/shared/objectHandler";
import type { ObjectOutcome } from "../../handlers/shared/outcome";
import { fixture, lambdaContext } from "./support/events";
import { memoryIdempotencyTable, MemoryIdempotencyTable } from "../../handlers/testing/memoryTables";
import { RecordingLogger } from "./support/recordingLogger";

describe("idempotency layer (Powertools, DynamoDB via aws-sdk-client-mock)", () => {
  let client: DynamoDBClient;
  let table: MemoryIdempotencyTable;
  beforeEach(() => {
    client = new DynamoDBClient({ region: "us-east-1" });
    table = memoryIdempotencyTable(client);
  });
  afterEach(() => table.restore());

  const settings = { tableName: "idempotency", expiresAfterSeconds: 3600 };
  const event = parseS3Notifications(fixture("s3-put.json"))[0];

  it("is off unless IDEMPOTENCY_TABLE is set, and validates the TTL", () => {
    assert.equal(idempotencySettings(configReader({}, "h")), undefined);
    assert.deepStrictEqual(idempotencySettings(configReader({ IDEMPOTENCY_TABLE: "t" }, "h")), {
      tableName: "t",
      expiresAfterSeconds: 3600,
    });
    assert.throws(
      () => idempotencySettings(configReader({ IDEMPOTENCY_TABLE: "t", IDEMPOTENCY_TTL_SECONDS: "5" }, "h")),
      {
        message: 'h: IDEMPOTENCY_TTL_SECONDS="5" is not valid: expected a whole number from 60 to 2592000.',
      },
    );
  });

  it("runs the work once for the same change delivered through different envelopes", async () => {
    const calls: string[] = [];
    const runner = makeObjectIdempotent(
      async (e: S3ObjectEvent): Promise<ObjectOutcome> => {
        calls.push(e.source);
        return { status: "processed", reason: "done", outputs: ["x"] };
      },
      settings,
      client,
      "test-fn",
    );
    runner.registerContext(lambdaContext());
    const viaSqs = parseS3Notifications(fixture("sqs-s3-put.json"))[0];
    assert.deepStrictEqual(await runner.run(event), { status: "processed", reason: "done", outputs: ["x"] });
    assert.deepStrictEqual(await runner.run(viaSqs), {
      status: "processed",
      reason: "done",
      outputs: ["x"],
      duplicate: true,
    });
    assert.deepStrictEqual(calls, ["s3"]);
    const [stored] = [...table.items.values()];
    assert.equal(stored.status.S, "COMPLETED");
  });

  it("runs again after a failure (the in-progress record is removed)", async () => {
    let attempts = 0;
    const runner = makeObjectIdempotent(
      async (): Promise<ObjectOutcome> => {
        attempts += 1;
        if (attempts === 1) throw new Error("transient");
        return { status: "processed", reason: "second try" };
      },
      settings,
      client,
      "test-fn",
    );
    runner.registerContext(lambdaContext());
    await assert.rejects(runner.run(event), { message: "transient" });
    assert.equal(table.items.size, 0);
    assert.deepStrictEqual(await runner.run(event), { status: "processed", reason: "second try" });
    assert.equal(attempts, 2);
  });

  it("a different sequencer for the same key is a different change", async () => {
    let runs = 0;
    const runner = makeObjectIdempotent(
      async (): Promise<ObjectOutcome> => {
        runs += 1;
        return { status: "processed", reason: "done" };
      },
      settings,
      client,
      "test-fn",
    );
    runner.registerContext(lambdaContext());
    await runner.run(event);
    await runner.run({ ...event, sequencer: "0055AED6DCD90281E6" });
    assert.equal(runs, 2);
  });

  it("a handler with the layer logs the duplicate and returns the stored outcome", async () => {
    const logger = new RecordingLogger();
    const work = async (): Promise<ObjectOutcome> => ({ status: "processed", reason: "done" });
    const handler = createObjectHandler({
      name: "h",
      logger,
      process: work,
      idempotency: makeObjectIdempotent(work, settings, client, "h"),
    });
    await handler(fixture("s3-put.json"), lambdaContext());
    const second = (await handler(fixture("sns-s3-put.json"), lambdaContext())) as DirectResult;
    assert.deepStrictEqual(second.outcomes, [{ status: "processed", reason: "done", duplicate: true }]);
    assert.deepStrictEqual(logger.messages("info"), ["h: processed (done)", "h: processed (done)"]);
    assert.equal(logger.entries[1].attributes.source, "sns");
  });
});
