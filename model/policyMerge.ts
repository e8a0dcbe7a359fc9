/**
 * The pure logic of an access policy (an SQS queue's or an SNS topic's) that this stack shares with
 * other writers: ownership by statement `Sid`, splitting a live policy into this stack's statements
 * and everyone else's ("foreign" statements), the merge, the conflict and drift checks, and the
 * read-back comparison.
 *
 * Pure: no Pulumi or AWS import, so the dynamic provider (`sharedPolicy`), the components and the
 * tests share one implementation, and Pulumi can serialize the provider by reference to this module
 * (`s3-event-routes/internal/policyMerge`).
 *
 * ## Ownership Sids
 *
 * A statement belongs to this stack because of its `Sid`, never because of its content. The Sids of
 * one adopted queue or topic component start with `pulumi_<digest>_<component>_`, where `<digest>` is
 * 8 hex digits of a 32-bit FNV-1a digest of `<namespace>/<component>` (the namespace is
 * `pulumi:<organization>:<project>:<stack>`, see `notificationMerge`) and `<component>` the
 * component's name reduced to letters and digits (at most 32); the statement for a service ends in
 * its name (`S3`, `Events`, `Sns`). Sids hold letters, digits and `_` only, which both SQS and SNS
 * accept. A statement is this resource's when its Sid is in its state (written by it) or in its
 * inputs (about to be written): those are replaced; every other statement is foreign and is written
 * back exactly as read, in its place.
 */
import { nameDigest } from "./notificationMerge";

/** One statement as read from a policy: kept exactly as read when foreign. */
export type PolicyStatementLike = Record<string, unknown> & {
  /** The statement's id. */
  Sid?: string;
};

/** A policy document as read (Version, Id and any other top-level field kept as read). */
export interface PolicyDocumentLike {
  /** The policy language version. */
  Version?: string;
  /** The policy's id. */
  Id?: string;
  /** The statements (a single statement object is read as a list of one). */
  Statement: PolicyStatementLike[];
  /** Other top-level fields, kept. */
  [field: string]: unknown;
}

/** Which resource a policy belongs to, for messages and actions. */
export type PolicyKind = "sqs" | "sns";

/**
 * The Sid prefix of one component's statements: `pulumi_<digest>_<component>_`.
 *
 * @param namespace  `pulumi:<organization>:<project>:<stack>`.
 * @param component  the component's logical name.
 */
export function ownershipSidPrefix(namespace: string, component: string): string {
  const readable = component.replace(/[^A-Za-z0-9]/g, "").slice(0, 32);
  return `pulumi_${nameDigest(`${namespace}/${component}`)}_${readable}${readable ? "_" : ""}`;
}

/**
 * Parses a live policy. Empty or absent text is no policy (undefined).
 *
 * @throws Error naming the resource when the text is not a JSON policy document.
 */
export function parsePolicy(
  text: string | undefined | null,
  resource: string,
): PolicyDocumentLike | undefined {
  if (text === undefined || text === null || text.trim() === "") return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(
      `The access policy of ${resource} is not valid JSON, so no statement can be added to it safely.`,
    );
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
    throw new Error(
      `The access policy of ${resource} is not a JSON object, so no statement can be added to it safely.`,
    );
  }
  const obj = doc as Record<string, unknown>;
  const statement = obj.Statement;
  const list = Array.isArray(statement)
    ? statement
    : statement && typeof statement === "object"
      ? [statement]
      : [];
  return { ...obj, Statement: list as PolicyStatementLike[] };
}

/** Splits a live policy into this resource's statements and the foreign ones (each in order). */
export function splitPolicy(
  live: PolicyDocumentLike | undefined,
  ownedSids: ReadonlySet<string>,
): { ours: PolicyStatementLike[]; foreign: PolicyStatementLike[] } {
  const all = live?.Statement ?? [];
  const isOurs = (s: PolicyStatementLike) => typeof s.Sid === "string" && ownedSids.has(s.Sid);
  return { ours: all.filter(isOurs), foreign: all.filter((s) => !isOurs(s)) };
}

/**
 * The policy to write: the live one with this resource's statements replaced by `ours` — foreign
 * statements exactly as read and in their order, ours after them, the live `Version`, `Id` and other
 * fields kept. Undefined when no statement is left (the policy is then removed).
 *
 * @param live       the policy just read (undefined: none).
 * @param ownedSids  the Sids in this resource's state and inputs.
 * @param ours       this resource's statements as they should be (empty to remove them all).
 */
export function mergePolicy(
  live: PolicyDocumentLike | undefined,
  ownedSids: ReadonlySet<string>,
  ours: readonly PolicyStatementLike[],
): PolicyDocumentLike | undefined {
  const { foreign } = splitPolicy(live, ownedSids);
  const statements = [...foreign, ...ours];
  if (statements.length === 0) return undefined;
  return { ...(live ?? {}), Version: live?.Version ?? "2012-10-17", Statement: statements };
}

/** A canonical text of a value: objects with sorted keys, so key order does not count. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** True when two statements say the same (key order aside). */
export function sameStatement(a: PolicyStatementLike, b: PolicyStatementLike): boolean {
  return canonical(a) === canonical(b);
}

/** True when two policies hold the same statements in the same order and the same other fields. */
export function samePolicy(a: PolicyDocumentLike | undefined, b: PolicyDocumentLike | undefined): boolean {
  return canonical(a ?? null) === canonical(b ?? null);
}

/** The principals of a statement that name a service, or `"*"` when it names everyone. */
function principals(s: PolicyStatementLike): string[] {
  const p = s.Principal;
  if (p === "*") return ["*"];
  if (!p || typeof p !== "object") return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(p as Record<string, unknown>)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) if (typeof v === "string") out.push(key === "AWS" && v === "*" ? "*" : v);
  }
  return out;
}

/** Whether an IAM action pattern (`sqs:*`, `SQS:Send*`) covers an action; action names ignore case. */
function covers(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i");
  return re.test(action);
}

/**
 * The foreign statements that would make this resource's statements useless: a `Deny` without a
 * condition, for everyone or for one of our services, of one of our actions (S3 would then fail its
 * test delivery: "Unable to validate the following destination configurations"). As exact messages.
 *
 * @param resource  how messages name the queue or topic, e.g. `queue "arn:aws:sqs:…:jobs"`.
 * @param foreign   the foreign statements.
 * @param ours      this resource's statements.
 */
export function findPolicyConflicts(
  resource: string,
  foreign: readonly PolicyStatementLike[],
  ours: readonly PolicyStatementLike[],
): string[] {
  const out: string[] = [];
  for (const f of foreign) {
    if (f.Effect !== "Deny" || f.Condition !== undefined) continue;
    const actions = (Array.isArray(f.Action) ? f.Action : [f.Action]).filter(
      (a): a is string => typeof a === "string",
    );
    const who = principals(f);
    for (const o of ours) {
      const services = principals(o);
      const ourActions = (Array.isArray(o.Action) ? o.Action : [o.Action]).filter(
        (a): a is string => typeof a === "string",
      );
      const denied = ourActions.some((a) => actions.some((p) => covers(p, a)));
      const forUs = who.includes("*") || services.some((s) => who.includes(s));
      if (denied && forUs) {
        out.push(
          `The access policy of ${resource} has a statement${typeof f.Sid === "string" ? ` "${f.Sid}"` : ""} that ` +
            `denies ${actions.join(", ")} to ${who.join(", ")} without a condition, so this stack's statement ` +
            `"${String(o.Sid)}" (${ourActions.join(", ")} for ${services.join(", ")}) can never take effect and S3 ` +
            `would refuse the notification ("Unable to validate the following destination configurations"). Nothing ` +
            `was changed. Have the owner of that statement narrow it (a condition on aws:SourceArn), or route ` +
            `through a queue or topic of this stack.`,
        );
        break;
      }
    }
  }
  return out;
}

/**
 * This resource's statements as it last wrote them, compared with the live policy: one exact
 * message per statement removed or changed by someone else since.
 *
 * @param resource  how messages name the queue or topic.
 * @param written   the statements in this resource's state (that it still declares).
 * @param liveOurs  the live statements carrying those Sids.
 */
export function findPolicyDrift(
  resource: string,
  written: readonly PolicyStatementLike[],
  liveOurs: readonly PolicyStatementLike[],
): string[] {
  const fix =
    "Nothing was changed. Run `pulumi refresh` to accept the policy as it is, then `pulumi up` to write this " +
    "stack's statements again (or remove the route from the program if the change was deliberate).";
  const out: string[] = [];
  for (const w of written) {
    const live = liveOurs.find((s) => s.Sid === w.Sid);
    if (!live) {
      out.push(
        `The access policy of ${resource}: statement "${String(w.Sid)}" of this stack was removed outside Pulumi since ` +
          `this stack last wrote it. ${fix}`,
      );
    } else if (!sameStatement(w, live)) {
      out.push(
        `The access policy of ${resource}: statement "${String(w.Sid)}" of this stack was changed outside Pulumi since ` +
          `this stack last wrote it (now ${JSON.stringify(live)}; written ${JSON.stringify(w)}). ${fix}`,
      );
    }
  }
  return out;
}

/**
 * Checks this resource's own statements before any AWS call: each has a Sid with the prefix, Sids
 * are unique.
 */
export function validateStatements(
  resource: string,
  sidPrefix: string,
  ours: readonly PolicyStatementLike[],
): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const s of ours) {
    if (typeof s.Sid !== "string" || !s.Sid.startsWith(sidPrefix) || !/^[A-Za-z0-9_]+$/.test(s.Sid)) {
      out.push(
        `The access policy of ${resource}: statement Sid ${JSON.stringify(s.Sid)} is not in this stack's namespace: ` +
          `it must start with "${sidPrefix}" and hold letters, digits and "_" only.`,
      );
      continue;
    }
    if (seen.has(s.Sid))
      out.push(`The access policy of ${resource}: two statements have the Sid "${s.Sid}".`);
    seen.add(s.Sid);
  }
  return out;
}
