/**
 * EventBridge's input transformer, applied locally: what a target receives for an event. Used by
 * the local event loop (to show the webhook payload) and by tests (to prove the payload parses).
 *
 * Pure: no Pulumi or AWS import. Supports the dotted JSON paths this product writes (`$.a.b-c`).
 */

/** An input transformer: variables from JSON paths, and a template using them as `<name>`. */
export interface InputTransformer {
  /** Variable name to JSON path, e.g. `{ key: "$.detail.object.key" }`. */
  inputPaths: Record<string, string>;
  /** The template, e.g. `{"key":"<key>"}`. */
  inputTemplate: string;
}

/** Reads a dotted JSON path (`$`, `$.a`, `$.a.b-c`) from a value. */
export function readPath(value: unknown, path: string): unknown {
  if (path === "$") return value;
  if (!path.startsWith("$.")) throw new Error(`Unsupported JSON path "${path}": use $.field.field.`);
  let current: unknown = value;
  for (const part of path.slice(2).split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * Applies a transformer to an event as EventBridge does: a variable inside quotes is inserted as
 * escaped string content, elsewhere as JSON. A missing path inserts `null` (unquoted) or nothing.
 */
export function applyInputTransformer(transformer: InputTransformer, event: unknown): string {
  return transformer.inputTemplate.replace(
    /("?)<([A-Za-z0-9_.-]+)>("?)/g,
    (whole, open: string, name: string, close: string) => {
      if (!Object.prototype.hasOwnProperty.call(transformer.inputPaths, name)) return whole;
      const value = readPath(event, transformer.inputPaths[name]);
      if (open && close) {
        const text =
          value === undefined || value === null
            ? ""
            : typeof value === "string"
              ? value
              : JSON.stringify(value);
        return JSON.stringify(text);
      }
      return `${open}${value === undefined ? "null" : JSON.stringify(value)}${close}`;
    },
  );
}
