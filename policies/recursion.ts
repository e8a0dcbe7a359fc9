/**
 * Policies for functions that write into what triggers them, and so invoke themselves forever.
 *
 * Where a function writes is read from its environment, by convention:
 *
 * - `DEST_BUCKET` / `OUTPUT_BUCKET`: the bucket it writes to (a name, or an `arn:aws:s3:::` ARN);
 * - `DEST_PREFIX` / `OUTPUT_PREFIX`: the key prefix it writes under (none: anywhere in the bucket);
 * - `DEST_SUFFIX` / `OUTPUT_SUFFIX`: the key suffix it writes with (optional).
 *
 * A second, weaker signal is the function's role: a grant of `s3:PutObject` on keys the
 * notification's filter matches.
 */
import { globMatch, parsePolicy, Statement, coversAction } from "./iamPolicy";
import { entryDestinations, notifications, NotifiedBucket } from "./links";
import { describeFilter, filtersOverlap, ObjectFilter } from "./model";
import { firesOnCreate, NotificationEntry, notificationEntries } from "./notifications";
import { at, isUnknown, label, list, obj, ResourceRecord, str } from "./records";
import { StackIndex, Violation } from "./stack";
import { T } from "./types";
import { stackPolicy } from "./policy";

/** The environment variable prefixes the recursion policy reads: `<P>_BUCKET`, `<P>_PREFIX`, `<P>_SUFFIX`. */
export const WRITE_ENV_PREFIXES = ["DEST", "OUTPUT"] as const;

/** Where a function says (through its environment) that it writes. */
export interface DeclaredWrite {
  /** The variable prefix, `DEST` or `OUTPUT`. */
  env: (typeof WRITE_ENV_PREFIXES)[number];
  /** The variables it was read from, e.g. `DEST_BUCKET, DEST_PREFIX`. */
  vars: string;
  /** The bucket name. */
  bucket: string;
  /** The keys written. */
  filter: ObjectFilter;
}

/** The writes a function declares in its environment variables (see the module doc for the convention). */
export function declaredWrites(fn: ResourceRecord): DeclaredWrite[] {
  const vars = obj(at(fn.props, "environment", "variables"));
  if (!vars) return [];
  const out: DeclaredWrite[] = [];
  for (const p of WRITE_ENV_PREFIXES) {
    const bucketVar = vars[`${p}_BUCKET`];
    const prefix = vars[`${p}_PREFIX`];
    const suffix = vars[`${p}_SUFFIX`];
    if ([bucketVar, prefix, suffix].some(isUnknown)) continue;
    const bucket = str(bucketVar)
      ?.replace(/^arn:[^:]+:s3:::/, "")
      .replace(/\/.*$/, "");
    if (!bucket) continue;
    const filter: ObjectFilter = {};
    if (str(prefix)) filter.prefix = str(prefix);
    if (str(suffix)) filter.suffix = str(suffix);
    const used = [
      `${p}_BUCKET`,
      ...(filter.prefix ? [`${p}_PREFIX`] : []),
      ...(filter.suffix ? [`${p}_SUFFIX`] : []),
    ];
    out.push({ env: p, vars: used.join(", "), bucket, filter });
  }
  return out;
}

/** The names a notified bucket goes by: its bucket name, as the resource and the notification hold it. */
function bucketNames(bucket: NotifiedBucket, n: ResourceRecord): string[] {
  return [bucket.name, str(bucket.resource?.props.bucket), str(n.props.bucket)].filter(
    (v): v is string => v !== undefined && v !== "",
  );
}

/** Each (notification, entry, function) where a notification's object-created entry invokes an in-stack function. */
function triggeredFunctions(
  stack: StackIndex,
): { n: ResourceRecord; bucket: NotifiedBucket; e: NotificationEntry; fn: ResourceRecord }[] {
  const out: { n: ResourceRecord; bucket: NotifiedBucket; e: NotificationEntry; fn: ResourceRecord }[] = [];
  for (const { n, bucket } of notifications(stack)) {
    for (const e of notificationEntries(n.props)) {
      if (e.kind !== "lambda" || !e.filter || !firesOnCreate(e)) continue;
      for (const fn of entryDestinations(stack, n, e)) out.push({ n, bucket, e, fn });
    }
  }
  return out;
}

function trigger(n: ResourceRecord, e: NotificationEntry, bucket: NotifiedBucket): string {
  return `${label(n)} (entry "${e.name}": ${describeFilter(e.filter)} of bucket ${bucket.label})`;
}

// ---------------------------------------------------------------------------------------------
// s3-lambda-no-recursive-write

/** Functions whose environment says they write into keys that trigger them. */
export function recursiveWriteViolations(stack: StackIndex): Violation[] {
  const out: Violation[] = [];
  for (const { n, bucket, e, fn } of triggeredFunctions(stack)) {
    const names = bucketNames(bucket, n);
    for (const w of declaredWrites(fn)) {
      if (!names.includes(w.bucket) || !filtersOverlap(e.filter, w.filter)) continue;
      out.push({
        urn: fn.urn,
        message:
          `${label(fn)} is triggered by ${trigger(n, e, bucket)} and writes objects (${describeFilter(w.filter)}, from ` +
          `${w.vars}) into that same bucket, which the entry also matches: every object it writes triggers it again, ` +
          `forever. Write to another bucket, or set ${w.env}_PREFIX to a prefix outside the entry's filter, or narrow ` +
          `the entry's filterPrefix/filterSuffix.`,
      });
    }
  }
  return out;
}

/** Checks whether a function triggered by a bucket writes (per its environment) into the keys that trigger it. */
export const s3LambdaNoRecursiveWrite = stackPolicy(
  {
    name: "s3-lambda-no-recursive-write",
    description:
      "Checks whether a Lambda function invoked by an aws.s3.BucketNotification on object creation writes into the same bucket under keys the notification matches, as declared by its DEST_BUCKET/DEST_PREFIX (or OUTPUT_BUCKET/OUTPUT_PREFIX) environment variables.",
    enforcementLevel: "mandatory",
  },
  recursiveWriteViolations,
);

// ---------------------------------------------------------------------------------------------
// s3-lambda-role-no-recursive-write

const S3_FULL_ACCESS = /^arn:[^:]+:iam::aws:policy\/AmazonS3FullAccess$/;
const FULL_ACCESS: Statement[] = [
  {
    index: 0,
    effect: "Allow",
    notPrincipal: false,
    actions: ["s3:*"],
    notActions: [],
    resources: ["*"],
    notResources: [],
    conditions: [],
  },
];

/** The identity policies of a role found in the stack, each with how messages name it. */
function rolePolicies(
  stack: StackIndex,
  role: ResourceRecord,
): { source: string; statements: Statement[] }[] {
  const out: { source: string; statements: Statement[] }[] = [];
  list(role.props.inlinePolicies).forEach((p, i) => {
    const statements = parsePolicy(at(p, "policy"));
    const name = str(at(p, "name"));
    if (statements)
      out.push({ source: `inline policy ${name ? `"${name}"` : `#${i + 1}`} of ${label(role)}`, statements });
  });
  for (const arn of list(role.props.managedPolicyArns)) {
    if (typeof arn === "string" && S3_FULL_ACCESS.test(arn))
      out.push({
        source: `the AWS-managed policy AmazonS3FullAccess on ${label(role)}`,
        statements: FULL_ACCESS,
      });
  }
  for (const rp of stack.referrers(role, T.rolePolicy, "role", [T.role])) {
    const statements = parsePolicy(rp.props.policy);
    if (statements) out.push({ source: label(rp), statements });
  }
  for (const att of stack.referrers(role, T.rolePolicyAttachment, "role", [T.role])) {
    const arn = str(att.props.policyArn);
    if (arn !== undefined && S3_FULL_ACCESS.test(arn)) {
      out.push({
        source: `the AWS-managed policy AmazonS3FullAccess (attached by ${label(att)})`,
        statements: FULL_ACCESS,
      });
      continue;
    }
    for (const p of stack.resolve(att, "policyArn", att.props.policyArn, [T.iamPolicy])) {
      const statements = parsePolicy(p.props.policy);
      if (statements) out.push({ source: `${label(p)} (attached by ${label(att)})`, statements });
    }
  }
  return out;
}

/**
 * The keys of `bucket` an IAM resource pattern covers, as a filter: `arn:aws:s3:::b/in/*.jpg`
 * covers prefix `in/` and suffix `.jpg`; `*` covers every key. Undefined when it covers none of them.
 */
export function coveredKeys(resource: string, bucket: string): ObjectFilter | undefined {
  if (resource === "*") return {};
  const m = /^arn:[^:]+:s3:::([^/]*)\/(.*)$/.exec(resource);
  if (!m || !globMatch(m[1], bucket)) return undefined;
  const key = m[2];
  const first = key.search(/[*?]/);
  if (first < 0) return key === "" ? undefined : { prefix: key, suffix: key };
  const last = Math.max(key.lastIndexOf("*"), key.lastIndexOf("?"));
  const filter: ObjectFilter = {};
  if (first > 0) filter.prefix = key.slice(0, first);
  if (last < key.length - 1) filter.suffix = key.slice(last + 1);
  return filter;
}

/** Functions whose role lets them put objects under keys that trigger them. */
export function roleRecursionViolations(stack: StackIndex): Violation[] {
  const out: Violation[] = [];
  for (const { n, bucket, e, fn } of triggeredFunctions(stack)) {
    const names = bucketNames(bucket, n);
    if (names.length === 0) continue;
    const role = stack.resolve(fn, "role", fn.props.role, [T.role])[0];
    if (!role) continue;
    let hit: { source: string; resource: string } | undefined;
    for (const { source, statements } of rolePolicies(stack, role)) {
      for (const s of statements) {
        if (s.effect !== "Allow" || !coversAction(s, "s3:PutObject")) continue;
        const resource = s.resources.find((r) =>
          names.some((b) => {
            const keys = coveredKeys(r, b);
            return keys !== undefined && filtersOverlap(e.filter, keys);
          }),
        );
        if (resource !== undefined) {
          hit = { source, resource };
          break;
        }
      }
      if (hit) break;
    }
    if (!hit) continue;
    out.push({
      urn: fn.urn,
      message:
        `${label(fn)} is triggered by ${trigger(n, e, bucket)} and its role ${label(role)} may write there: ` +
        `${hit.source} allows s3:PutObject on "${hit.resource}", which covers keys the entry matches, so an object the ` +
        `function writes there would trigger it again. If the function writes into this bucket, scope the grant (and ` +
        `the writes) to a prefix outside the entry's filter; otherwise remove the grant.`,
    });
  }
  return out;
}

/** Checks whether a function triggered by a bucket may, per its role, write into the keys that trigger it. */
export const s3LambdaRoleNoRecursiveWrite = stackPolicy(
  {
    name: "s3-lambda-role-no-recursive-write",
    description:
      "Checks whether the role of a Lambda function invoked by an aws.s3.BucketNotification on object creation grants s3:PutObject on keys of the triggering bucket that the notification's filter matches.",
    enforcementLevel: "advisory",
  },
  roleRecursionViolations,
);
