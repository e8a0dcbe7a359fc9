/** DynamoDB tables and their partition keys. */
import { Recorded, str } from "./recorded";

/** A DynamoDB table. */
export interface LocalTable {
  /** The table's name. */
  name: string;
  /** Its partition key. */
  hashKey: string;
}

/** Every table. */
export function readTables(recorded: Recorded): LocalTable[] {
  return recorded.of("aws:dynamodb/table:Table").map((t) => ({
    name: str(t.state.name) ?? t.name,
    hashKey: str(t.inputs.hashKey) ?? "pk",
  }));
}
