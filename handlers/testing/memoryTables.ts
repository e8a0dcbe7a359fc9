/**
 * In-memory fakes of the DynamoDB calls the handlers make, installed with aws-sdk-client-mock on a
 * client instance, or on a client class (every instance, including those a handler creates at
 * module scope: what the local event loop, `npm run local`, does). Each fake evaluates only the
 * exact condition expressions the code sends and throws on any other, so a change in the code's
 * conditions cannot pass unnoticed. Shared by the tests and the local event loop; no handler
 * imports it, so it is never bundled.
 *
 * - {@link memoryIndexTable}: the metadata index (DocumentClient PutCommand with the sequencer
 *   condition).
 * - {@link memoryIdempotencyTable}: Powertools' DynamoDBPersistenceLayer (PutItem with its
 *   condition, GetItem, UpdateItem `SET`, DeleteItem) on the low-level client.
 */
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { NEWER_ONLY_CONDITION } from "../metadata/objectIndex";

const conditionFailed = (item?: Record<string, AttributeValue>) =>
  new ConditionalCheckFailedException({
    message: "The conditional request failed",
    $metadata: {},
    Item: item,
  });

/** The metadata index, in memory. */
export interface MemoryIndexTable {
  /** Items by `pk`. */
  items: Map<string, Record<string, unknown>>;
  /** Calls received (PutCommand inputs), in order. */
  puts: number;
  /** Removes the mock from the client. */
  restore(): void;
}

/**
 * Backs a DocumentClient's PutCommand with a Map, evaluating the metadata index's condition.
 *
 * @param documents - the DocumentClient the handler uses, or the class (every instance).
 */
export function memoryIndexTable(
  documents: DynamoDBDocumentClient | typeof DynamoDBDocumentClient,
): MemoryIndexTable {
  const mock = mockClient(documents);
  const table: MemoryIndexTable = { items: new Map(), puts: 0, restore: () => mock.restore() };
  mock.on(PutCommand).callsFake(async (input: PutCommand["input"]) => {
    table.puts += 1;
    if (input.ConditionExpression !== NEWER_ONLY_CONDITION) {
      throw new Error(
        `memoryIndexTable does not evaluate the condition ${JSON.stringify(input.ConditionExpression)}`,
      );
    }
    const item = input.Item as Record<string, unknown>;
    const pk = item.pk as string;
    const existing = table.items.get(pk);
    const incoming = input.ExpressionAttributeValues?.[":seq"] as string;
    if (existing !== undefined && !((existing.sequencerSortKey as string) < incoming))
      throw conditionFailed();
    table.items.set(pk, structuredClone(item));
    return {};
  });
  return table;
}

const POWERTOOLS_PUT_CONDITION =
  "attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)";

/** Powertools' idempotency table, in memory. */
export interface MemoryIdempotencyTable {
  /** Items by the `id` attribute's string value. */
  items: Map<string, Record<string, AttributeValue>>;
  /** Removes the mock from the client. */
  restore(): void;
}

const num = (value: AttributeValue | undefined): number | undefined =>
  value !== undefined && "N" in value && value.N !== undefined ? Number(value.N) : undefined;
const str = (value: AttributeValue | undefined): string | undefined =>
  value !== undefined && "S" in value ? value.S : undefined;

/**
 * Backs a low-level DynamoDBClient with a Map, as Powertools' DynamoDBPersistenceLayer uses it.
 *
 * @param client - the client handed to the persistence layer, or the class (every instance).
 */
export function memoryIdempotencyTable(
  client: DynamoDBClient | typeof DynamoDBClient,
): MemoryIdempotencyTable {
  const mock = mockClient(client);
  const items = new Map<string, Record<string, AttributeValue>>();
  const keyOf = (key: Record<string, AttributeValue> | undefined): string => {
    const id = str(key?.id);
    if (id === undefined) throw new Error("memoryIdempotencyTable: the key has no string attribute `id`");
    return id;
  };
  mock.on(PutItemCommand).callsFake(async (input: PutItemCommand["input"]) => {
    if (input.ConditionExpression !== POWERTOOLS_PUT_CONDITION) {
      throw new Error(
        `memoryIdempotencyTable does not evaluate the condition ${JSON.stringify(input.ConditionExpression)}`,
      );
    }
    const item = input.Item ?? {};
    const id = keyOf(item);
    const existing = items.get(id);
    const values = input.ExpressionAttributeValues ?? {};
    if (existing) {
      const expired = (num(existing.expiration) ?? Infinity) < (num(values[":now"]) ?? 0);
      const inProgressExpired =
        str(existing.status) === str(values[":inprogress"]) &&
        existing.in_progress_expiration !== undefined &&
        (num(existing.in_progress_expiration) ?? Infinity) < (num(values[":now_in_millis"]) ?? 0);
      if (!expired && !inProgressExpired) throw conditionFailed(existing);
    }
    items.set(id, { ...item });
    return {};
  });
  mock.on(GetItemCommand).callsFake(async (input: GetItemCommand["input"]) => {
    const item = items.get(keyOf(input.Key));
    return item ? { Item: { ...item } } : {};
  });
  mock.on(UpdateItemCommand).callsFake(async (input: UpdateItemCommand["input"]) => {
    const id = keyOf(input.Key);
    const item = items.get(id) ?? { ...input.Key };
    const assignments = (input.UpdateExpression ?? "").replace(/^SET /, "").split(", ");
    for (const assignment of assignments) {
      const [name, value] = assignment.split(" = ");
      const attribute = input.ExpressionAttributeNames?.[name];
      const attributeValue = input.ExpressionAttributeValues?.[value];
      if (attribute === undefined || attributeValue === undefined) {
        throw new Error(`memoryIdempotencyTable cannot apply ${JSON.stringify(assignment)}`);
      }
      item[attribute] = attributeValue;
    }
    items.set(id, item);
    return {};
  });
  mock.on(DeleteItemCommand).callsFake(async (input: DeleteItemCommand["input"]) => {
    items.delete(keyOf(input.Key));
    return {};
  });
  return { items, restore: () => mock.restore() };
}
