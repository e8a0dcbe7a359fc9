/**
 * Reading IAM-style policy documents (queue, topic, bucket, key and role policies): statements,
 * principals, actions with wildcards, resources and conditions.
 *
 * A document arrives as a JSON string or, when the program passed an object, as that object.
 */
import { isUnknown } from "./records";

/** One condition of a statement: `{ "<operator>": { "<key>": values } }`. */
export interface Condition {
  /** The operator, e.g. `ArnLike`, `StringEquals`, `Bool`, `StringEqualsIfExists`. */
  operator: string;
  /** The condition key, e.g. `aws:SourceArn`. */
  key: string;
  /** The values, as strings (`false` becomes `"false"`). */
  values: string[];
}

/** One statement, normalised: single values become lists. */
export interface Statement {
  /** The statement's `Sid`, if any. */
  sid?: string;
  /** Its position in the document, from 0. */
  index: number;
  /** `Allow` or `Deny`. */
  effect: "Allow" | "Deny";
  /** `"*"` for every principal, else the listed principals by kind (`Service`, `AWS`, ...). */
  principal?: "*" | Record<string, string[]>;
  /** True when the statement uses `NotPrincipal`. */
  notPrincipal: boolean;
  /** `Action` values; empty when the statement uses `NotAction`. */
  actions: string[];
  /** `NotAction` values. */
  notActions: string[];
  /** `Resource` values; empty when the statement uses `NotResource` (or names none, as key policies may). */
  resources: string[];
  /** `NotResource` values. */
  notResources: string[];
  /** The conditions. */
  conditions: Condition[];
}

function strings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (typeof v === "boolean" || typeof v === "number") return [String(v)];
  if (Array.isArray(v)) return v.flatMap(strings);
  return [];
}

/**
 * Parses a policy document. Returns undefined when it is not known yet or cannot be read (so that
 * callers stay silent rather than guess), and the statements otherwise.
 */
export function parsePolicy(doc: unknown): Statement[] | undefined {
  if (doc === undefined || doc === null || doc === "" || isUnknown(doc)) return undefined;
  let value: unknown = doc;
  if (typeof doc === "string") {
    try {
      value = JSON.parse(doc);
    } catch {
      return undefined;
    }
  }
  if (value === null || typeof value !== "object") return undefined;
  const raw = (value as Record<string, unknown>).Statement;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? [raw] : [];
  const out: Statement[] = [];
  list.forEach((s, index) => {
    if (!s || typeof s !== "object") return;
    const st = s as Record<string, unknown>;
    const effect = st.Effect === "Deny" ? "Deny" : st.Effect === "Allow" ? "Allow" : undefined;
    if (!effect) return;
    const conditions: Condition[] = [];
    const cond = st.Condition;
    if (cond && typeof cond === "object" && !Array.isArray(cond)) {
      for (const [operator, body] of Object.entries(cond as Record<string, unknown>)) {
        if (!body || typeof body !== "object" || Array.isArray(body)) continue;
        for (const [key, values] of Object.entries(body as Record<string, unknown>)) {
          conditions.push({ operator, key, values: strings(values) });
        }
      }
    }
    const principalRaw = st.Principal ?? st.NotPrincipal;
    let principal: Statement["principal"];
    if (principalRaw === "*") principal = "*";
    else if (principalRaw && typeof principalRaw === "object" && !Array.isArray(principalRaw)) {
      principal = {};
      for (const [kind, ids] of Object.entries(principalRaw as Record<string, unknown>))
        principal[kind] = strings(ids);
    }
    out.push({
      sid: typeof st.Sid === "string" && st.Sid !== "" ? st.Sid : undefined,
      index,
      effect,
      principal,
      notPrincipal: st.NotPrincipal !== undefined,
      actions: strings(st.Action),
      notActions: strings(st.NotAction),
      resources: strings(st.Resource),
      notResources: strings(st.NotResource),
      conditions,
    });
  });
  return out;
}

/** How messages name a statement: its Sid, or its position. */
export function statementLabel(s: Statement): string {
  return s.sid !== undefined ? `statement "${s.sid}"` : `statement #${s.index + 1}`;
}

/** Matches an IAM pattern (`*` any run, `?` any one character) against a value. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  if (!p.includes("*") && !p.includes("?")) return p === v;
  const re = new RegExp(
    "^" +
      p
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("") +
      "$",
    "s",
  );
  return re.test(v);
}

/** True when the statement names this service principal explicitly (`{ Service: "s3.amazonaws.com" }`). */
export function namesService(s: Statement, service: string): boolean {
  if (s.notPrincipal || !s.principal || s.principal === "*") return false;
  return (s.principal.Service ?? []).some((p) => p.toLowerCase() === service.toLowerCase());
}

/** True when the statement's principal includes this service: named, `"*"` or `{ AWS: "*" }`. */
export function coversService(s: Statement, service: string): boolean {
  if (s.notPrincipal) return false;
  if (s.principal === "*") return true;
  if (!s.principal) return false;
  return namesService(s, service) || (s.principal.AWS ?? []).includes("*");
}

/** True when the statement applies to `action` (`Action` patterns, or not excluded by `NotAction`). */
export function coversAction(s: Statement, action: string): boolean {
  if (s.actions.length > 0) return s.actions.some((a) => globMatch(a, action, true));
  if (s.notActions.length > 0) return !s.notActions.some((a) => globMatch(a, action, true));
  return false;
}

const SCOPING_OPERATORS = new Set(["stringequals", "stringlike", "arnequals", "arnlike"]);

/**
 * The values a statement requires for a condition key (compared without case), from the operators
 * that actually constrain it (`StringEquals`, `StringLike`, `ArnEquals`, `ArnLike`; not `...IfExists`,
 * which passes when the key is absent). Undefined when the statement does not constrain the key, or
 * constrains it only with `"*"`.
 */
export function requiredValues(s: Statement, key: string): string[] | undefined {
  const values = s.conditions
    .filter(
      (c) => c.key.toLowerCase() === key.toLowerCase() && SCOPING_OPERATORS.has(c.operator.toLowerCase()),
    )
    .flatMap((c) => c.values);
  return values.length > 0 && !values.every((v) => v === "*") ? values : undefined;
}

/** True when the statement has a `Bool` (or `BoolIfExists`) condition `key` equal to `value`. */
export function hasBoolCondition(s: Statement, key: string, value: boolean): boolean {
  return s.conditions.some(
    (c) =>
      /^bool(ifexists)?$/i.test(c.operator) &&
      c.key.toLowerCase() === key.toLowerCase() &&
      c.values.some((v) => v.toLowerCase() === String(value)),
  );
}

/**
 * True when the statement lets `service` perform `action`, and (when `sourceArn` is given and the
 * statement constrains `aws:SourceArn`) the constraint admits `sourceArn`.
 */
export function grantsService(s: Statement, service: string, action: string, sourceArn?: string): boolean {
  if (s.effect !== "Allow" || !coversService(s, service) || !coversAction(s, action)) return false;
  const arns = requiredValues(s, "aws:SourceArn");
  return sourceArn === undefined || arns === undefined || arns.some((a) => globMatch(a, sourceArn));
}
