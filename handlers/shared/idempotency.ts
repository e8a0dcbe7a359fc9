/**
 * Optional idempotency for object events: Powertools idempotency on a DynamoDB table, keyed on
 * {@link idempotencyKey} (bucket, key, version, sequencer). A duplicate delivery returns the first
 * delivery's stored outcome, marked `duplicate: true`, without running the work again.
 *
 * The table (partition key `id`, string; TTL attribute `expiration`) is named by IDEMPOTENCY_TABLE;
 * without it, handlers run without this layer and rely on being idempotent by construction.
 */
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import type { ConfigReader } from "./config";
import { idempotencyKey, S3ObjectEvent } from "./events";
import type { ObjectOutcome } from "./outcome";

/** Where and for how long outcomes are remembered. */
export interface IdempotencySettings {
  /** The DynamoDB table (partition key `id`, TTL attribute `expiration`). */
  tableName: string;
  /** How long a completed outcome is remembered, in seconds. */
  expiresAfterSeconds: number;
}

/**
 * Reads IDEMPOTENCY_TABLE and IDEMPOTENCY_TTL_SECONDS (default 3600); undefined when the table is unset.
 *
 * @param read - the handler's config reader.
 */
export function idempotencySettings(read: ConfigReader): IdempotencySettings | undefined {
  const tableName = read.string("IDEMPOTENCY_TABLE");
  if (tableName === undefined) return undefined;
  return {
    tableName,
    expiresAfterSeconds: read.integer("IDEMPOTENCY_TTL_SECONDS", 3600, { min: 60, max: 30 * 24 * 3600 }),
  };
}

/** A per-object function made idempotent. */
export interface IdempotentObjectRunner {
  /** Runs the work once per idempotency key; duplicates get the stored outcome. */
  run(event: S3ObjectEvent): Promise<ObjectOutcome>;
  /** Hands the invocation's context over, so an in-progress record expires with the invocation. */
  registerContext(context: Context): void;
}

/**
 * Wraps per-object work with Powertools idempotency on DynamoDB.
 *
 * @param work - the per-object function.
 * @param settings - the table and retention.
 * @param client - the DynamoDB client (module scope in the handler; mocked in tests).
 * @param keyPrefix - distinguishes functions sharing one table, e.g. the Lambda function name.
 */
export function makeObjectIdempotent(
  work: (event: S3ObjectEvent) => Promise<ObjectOutcome>,
  settings: IdempotencySettings,
  client: DynamoDBClient,
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
