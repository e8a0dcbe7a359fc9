/**
 * Optional idempotency for object events: Powertools idempotency on a DynamoDB table, keyed on
 * {@link idempotencyKey} (bucket, key, version, sequencer). A duplicate delivery returns the first
 * delivery's stored outcome, marked `duplicate: true`, without running the work again.
 *
 * The table (partition key `id`, string; TTL attribute `expiration`) is named by IDEMPOTENCY_TABLE;
 * without it, handlers run without this layer and rely on being idempotent by construction. Entry
 * points load this module through `loadIdempotency` (./idempotencySettings), only when configured.
 */
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { idempotencyKey, S3ObjectEvent } from "./events";
import type { IdempotencySettings, IdempotentObjectRunner } from "./idempotencyTypes";
import type { ObjectOutcome } from "./outcome";

/**
 * Wraps per-object work with Powertools idempotency on DynamoDB.
 *
 * @param work - the per-object function.
 * @param settings - the table and retention.
 * @param client - the DynamoDB client (mocked in tests); a new one when undefined.
 * @param keyPrefix - distinguishes functions sharing one table, e.g. the Lambda function name.
 */
export function makeObjectIdempotent(
  work: (event: S3ObjectEvent) => Promise<ObjectOutcome>,
  settings: IdempotencySettings,
  client: DynamoDBClient | undefined,
  keyPrefix: string,
): IdempotentObjectRunner {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: "idempotencyKey",
    expiresAfterSeconds: settings.expiresAfterSeconds,
    throwOnNoIdempotencyKey: true,
    responseHook: (response) =>
      typeof response === "object" && response !== null && !Array.isArray(response)
        ? { ...response, duplicate: true }
        : response,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: settings.tableName,
    awsSdkV3Client: client,
  });
  const once = makeIdempotent(
    async (input: { idempotencyKey: string; event: S3ObjectEvent }): Promise<ObjectOutcome> =>
      work(input.event),
    { persistenceStore, config, keyPrefix },
  );
  return {
    run: (event) => once({ idempotencyKey: idempotencyKey(event), event }),
    registerContext: (context) => config.registerLambdaContext(context),
  };
}
