/**
 * The JSON document `aws.iam.getPolicyDocument` returns, computed as the AWS provider computes it
 * (terraform-provider-aws `data_source_iam_policy_document.go` and `iam_policy_model.go`), so that
 * a program's policies read offline exactly as they will read once deployed.
 *
 * - Each statement: `Sid` (`""` when none is given), `Effect` (default `Allow`), `Action`, `NotAction`,
 *   `Resource`, `NotResource` (sets: duplicates dropped; one value is written as a string, several
 *   as a list sorted in reverse), `Principal` / `NotPrincipal` (identifiers merged by type; a lone
 *   `{ type: "*", identifiers: ["*"] }` is written `"*"`), `Condition` (`{ test: { variable: values } }`,
 *   one value written as a string, values of the same test and variable appended in order).
 * - `&{` is written `${` (the provider's escape for IAM policy variables).
 * - `sourcePolicyDocuments` first, then the statements, then `overridePolicyDocuments`; a statement
 *   with the `Sid` of an earlier one replaces it, as the provider merges them.
 * - `Version` defaults to `2012-10-17`; `policyId` becomes `Id`.
 */

/** A principal block of `getPolicyDocument`'s arguments. */
interface PrincipalArgs {
  type?: string;
  identifiers?: string[];
}

/** A condition block of `getPolicyDocument`'s arguments. */
interface ConditionArgs {
  test?: string;
  variable?: string;
  values?: string[];
}

/** A statement of `getPolicyDocument`'s arguments. */
interface StatementArgs {
  sid?: string;
  effect?: string;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  principals?: PrincipalArgs[];
  notPrincipals?: PrincipalArgs[];
  conditions?: ConditionArgs[];
}

/** The arguments of `aws.iam.getPolicyDocument`, as the provider receives them. */
export interface PolicyDocumentArgs {
  /** `Version`; default `2012-10-17`. */
  version?: string;
  /** `Id`. */
  policyId?: string;
  /** The statements. */
  statements?: StatementArgs[];
  /** Documents merged in first. */
  sourcePolicyDocuments?: string[];
  /** Documents merged in last, replacing statements with the same Sid. */
  overridePolicyDocuments?: string[];
}

type Json = string | string[];
type Doc = { Version?: string; Id?: string; Statement: Record<string, unknown>[] };

const escapeVars = (s: string) => s.split("&{").join("${");

function stringList(values: readonly unknown[] | undefined): string[] {
  return (values ?? []).filter((v): v is string => typeof v === "string");
}

/** A set of strings as the provider writes it: one value as a string, several reverse-sorted. */
function setValue(values: readonly unknown[] | undefined): Json | undefined {
  const unique = [...new Set(stringList(values))];
  if (unique.length === 0) return undefined;
  if (unique.length === 1) return escapeVars(unique[0]);
  return unique.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)).map(escapeVars);
}

function principals(blocks: readonly PrincipalArgs[] | undefined): unknown {
  const list = (blocks ?? []).filter((p) => typeof p?.type === "string");
  if (list.length === 0) return undefined;
  if (list.length === 1 && list[0].type === "*") {
    const ids = [...new Set(stringList(list[0].identifiers))];
    if (ids.length === 1 && ids[0] === "*") return "*";
  }
  const raw: Record<string, Json> = {};
  for (const p of list) {
    const ids = setValue(p.identifiers);
    if (ids === undefined) continue;
    const type = p.type as string;
    const existing = raw[type];
    if (existing === undefined) raw[type] = ids;
    else
      raw[type] = [
        ...(Array.isArray(existing) ? existing : [existing]),
        ...(Array.isArray(ids) ? ids : [ids]),
      ];
  }
  return sortKeys(raw);
}

function conditions(blocks: readonly ConditionArgs[] | undefined): unknown {
  const list = (blocks ?? []).filter((c) => typeof c?.test === "string" && typeof c?.variable === "string");
  if (list.length === 0) return undefined;
  const raw: Record<string, Record<string, Json>> = {};
  for (const c of list) {
    const test = c.test as string;
    const variable = c.variable as string;
    const values = stringList(c.values).map(escapeVars);
    const byVariable = (raw[test] ??= {});
    const existing = byVariable[variable];
    if (values.length === 1 && existing === undefined) byVariable[variable] = values[0];
    else if (existing === undefined) byVariable[variable] = values;
    else byVariable[variable] = [...(Array.isArray(existing) ? existing : [existing]), ...values];
  }
  const out: Record<string, unknown> = {};
  for (const test of Object.keys(raw).sort()) out[test] = sortKeys(raw[test]);
  return out;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}

function statement(s: StatementArgs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // The provider always writes Sid, "" when none is given (its docs' examples show "Sid": "").
  out.Sid = typeof s.sid === "string" ? s.sid : "";
  out.Effect = typeof s.effect === "string" && s.effect !== "" ? s.effect : "Allow";
  const fields: [string, unknown][] = [
    ["Action", setValue(s.actions)],
    ["NotAction", setValue(s.notActions)],
    ["Resource", setValue(s.resources)],
    ["NotResource", setValue(s.notResources)],
    ["Principal", principals(s.principals)],
    ["NotPrincipal", principals(s.notPrincipals)],
    ["Condition", conditions(s.conditions)],
  ];
  for (const [k, v] of fields) if (v !== undefined) out[k] = v;
  return out;
}

function merge(into: Doc, doc: Doc): void {
  if (doc.Id) into.Id = doc.Id;
  if (doc.Version && (into.Version === undefined || doc.Version > into.Version)) into.Version = doc.Version;
  for (const s of doc.Statement) {
    const sid = typeof s.Sid === "string" ? s.Sid : "";
    const at = sid === "" ? -1 : into.Statement.findIndex((e) => e.Sid === sid);
    if (at >= 0) into.Statement[at] = s;
    else into.Statement.push(s);
  }
}

function parseDoc(text: string, what: string): Doc {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`aws.iam.getPolicyDocument: ${what} is not JSON: ${(e as Error).message}`);
  }
  const o = (value ?? {}) as { Version?: unknown; Id?: unknown; Statement?: unknown };
  const raw = o.Statement;
  const statements = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? [raw] : [];
  return {
    Version: typeof o.Version === "string" ? o.Version : undefined,
    Id: typeof o.Id === "string" ? o.Id : undefined,
    Statement: statements as Record<string, unknown>[],
  };
}

/**
 * The `json` result of `aws.iam.getPolicyDocument` for `args`, indented as the provider indents it.
 *
 * @throws Error when a source or override document is not JSON, or two statements share a Sid (the
 *   provider's own errors).
 */
export function policyDocumentJson(args: PolicyDocumentArgs): string {
  const merged: Doc = { Statement: [] };
  const seen = new Set<string>();
  (args.sourcePolicyDocuments ?? []).forEach((text, i) => {
    const doc = parseDoc(text, `sourcePolicyDocuments[${i}]`);
    doc.Statement.forEach((s, j) => {
      if (typeof s.Sid !== "string" || s.Sid === "") return;
      if (seen.has(s.Sid))
        throw new Error(
          `aws.iam.getPolicyDocument: duplicate Sid (${s.Sid}) in source_policy_documents (item ${i}; statement ${j}). Remove the Sid or ensure Sids are unique`,
        );
      seen.add(s.Sid);
    });
    merge(merged, doc);
  });
  const own: Doc = { Version: args.version ?? "2012-10-17", Statement: [] };
  if (typeof args.policyId === "string" && args.policyId !== "") own.Id = args.policyId;
  const sids = new Set<string>();
  for (const s of args.statements ?? []) {
    if (typeof s.sid === "string" && s.sid !== "") {
      if (sids.has(s.sid))
        throw new Error(
          `aws.iam.getPolicyDocument: duplicate Sid (${s.sid}). Remove the Sid or ensure the Sid is unique`,
        );
      sids.add(s.sid);
    }
    own.Statement.push(statement(s));
  }
  merge(merged, own);
  (args.overridePolicyDocuments ?? []).forEach((text, i) =>
    merge(merged, parseDoc(text, `overridePolicyDocuments[${i}]`)),
  );
  const out: Record<string, unknown> = {};
  if (merged.Version) out.Version = merged.Version;
  if (merged.Id) out.Id = merged.Id;
  out.Statement = merged.Statement;
  return JSON.stringify(out, null, 2);
}
