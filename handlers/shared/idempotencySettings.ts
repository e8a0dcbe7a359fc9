/**
 * Whether and how object events are made idempotent, read from IDEMPOTENCY_TABLE and
 * IDEMPOTENCY_TTL_SECONDS, and the lazy loading of the layer itself: Powertools idempotency and the
 * DynamoDB client are only loaded when a table is configured, so a handler without one does not
 * pay for them at cold start. In the Lambda archive the layer is a file of its own, `idempotency.js`
 * beside `index.js` (components/handlerBundle keeps `import("./idempotency")` external), so
 * `index.js` does not carry it either.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ConfigReader } from "./config";
import type { S3ObjectEvent } from "./events";
import type { IdempotencySettings, IdempotentObjectRunner } from "./idempotencyTypes";
import type { ObjectOutcome } from "./outcome";

export type { IdempotencySettings, IdempotentObjectRunner } from "./idempotencyTypes";

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

/**
 * Loads the idempotency layer (Powertools + DynamoDB client) and wraps `work` with it.
 *
 * @param work - the per-object function.
 * @param settings - the table and retention.
 * @param keyPrefix - distinguishes functions sharing one table, e.g. the Lambda function name.
 * @param client - a DynamoDB client to reuse; a new one is created when omitted.
 */
export async function loadIdempotency(
  work: (event: S3ObjectEvent) => Promise<ObjectOutcome>,
  settings: IdempotencySettings,
  keyPrefix: string,
  client?: DynamoDBClient,
): Promise<IdempotentObjectRunner> {
  const { makeObjectIdempotent } = await import("./idempotency");
  return makeObjectIdempotent(work, settings, client, keyPrefix);
}
