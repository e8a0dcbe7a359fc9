/**
 * Argument checks shared by the components. Every message starts the same way — the component
 * (owner), the field, the value at fault — and ends with the fix. Arguments a user may hold as
 * Outputs are checked now when they are plain strings, and when they resolve otherwise, with the
 * same message: the check runs inside an `apply` whose output the component hands on to a resource
 * input (and to its registered outputs), so a failure rejects that registration and fails
 * `pulumi preview`/`up` (and {@link runProgram} under mocks) with the message.
 */
import * as pulumi from "@pulumi/pulumi";
import { argError, ownerError } from "../model/argumentError";

export {
  ArgumentError,
  argError,
  componentOwner,
  ownerError,
  routeOwner,
  routeSubject,
} from "../model/argumentError";

/** How a value appears in messages: quoted (escapes visible), or `[secret]` for a secret. */
export function shown(value: unknown, secret = false): string {
  return secret ? "[secret]" : JSON.stringify(value);
}

/** What a value is, for "got ..." in messages, without ever stringifying an Output. */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (pulumi.Output.isInstance(value)) return "an Output";
  return typeof value;
}

/** Refuses a missing or non-object argument bag (a JavaScript caller may pass anything). */
export function requireArgs<T>(owner: string, args: T | undefined, example: string): T {
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    throw ownerError(
      owner,
      `arguments are missing or not an object (got ${describeType(args)}). Give them, e.g. ${example}.`,
    );
  }
  return args;
}

/** Refuses anything but exactly one of `fields` being given. */
export function exactlyOne(owner: string, args: object, fields: readonly string[], hint = ""): void {
  const given = fields.filter((f) => (args as Record<string, unknown>)[f] !== undefined);
  if (given.length !== 1) {
    const names = fields.map((f) => `"${f}"`);
    const list =
      names.length === 2 ? names.join(" and ") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
    throw ownerError(owner, `give exactly one of ${list}${hint}.`);
  }
}

/** Refuses a number outside its range, naming the argument. */
export function checkRange(
  owner: string,
  field: string,
  value: number | undefined,
  min: number,
  max: number,
): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const got = typeof value === "number" ? String(value) : `${shown(value)} (${describeType(value)})`;
    throw ownerError(owner, `${field} must be a whole number from ${min} to ${max}, got ${got}.`, field);
  }
}

/** Refuses a value that is not one of `allowed` (exact spelling: AWS's enums are case-sensitive). */
export function checkOneOf<T extends string>(
  owner: string,
  field: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  const near =
    typeof value === "string"
      ? allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase())
      : undefined;
  throw argError(
    owner,
    field,
    `${shown(value)} is not one of ${allowed.map((a) => `"${a}"`).join(", ")}`,
    near ? `Write "${near}" (AWS spells it exactly so).` : `Use one of them, spelled exactly.`,
  );
}

/**
 * A check of a resolved string: throws the final error, naming the value as `display` shows it
 * (`[secret]` when `secret`).
 */
export type StringCheck = (value: string, display: string, secret: boolean) => void;

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === "function";
}

/** True when `value` is a string, an Output or a promise: something `pulumi.Input<string>` may be. */
export function isStringInput(value: unknown): boolean {
  return typeof value === "string" || pulumi.Output.isInstance(value) || isPromiseLike(value);
}

/**
 * Checks a `pulumi.Input<string>`: a plain string now (throwing), an Output or promise when it
 * resolves (rejecting the returned output, which keeps the input's secretness). Unknown during a
 * preview, it stays unknown and is checked by `pulumi up`.
 *
 * @returns the checked value as an output: hand it on (to a resource input), not the original.
 */
export function checkInput(
  owner: string,
  field: string,
  value: unknown,
  check: StringCheck,
): pulumi.Output<string> {
  if (typeof value === "string") {
    check(value, shown(value), false);
    return pulumi.output(value);
  }
  if (!isStringInput(value)) {
    throw argError(
      owner,
      field,
      `must be a string or an Output of one, got ${describeType(value)}`,
      `Give a string.`,
    );
  }
  const out = pulumi.output(value as pulumi.Input<string>) as pulumi.Output<unknown>;
  return out.apply(async (resolved) => {
    if (typeof resolved !== "string") {
      throw argError(owner, field, `resolved to ${describeType(resolved)}, not a string`, `Give a string.`);
    }
    const secret = await pulumi.isSecret(out);
    check(resolved, shown(resolved, secret), secret);
    return resolved;
  });
}

/**
 * Checks a value against context known only when it resolves (the stack's region and account):
 * the check runs when both have resolved; a plain string is checked once the context resolves.
 */
export function checkWith<C>(
  value: pulumi.Output<string>,
  context: pulumi.Input<C>,
  check: (value: string, display: string, context: pulumi.Unwrap<C>) => void,
): pulumi.Output<string> {
  return pulumi.all([value, context]).apply(async ([resolved, ctx]) => {
    check(resolved, shown(resolved, await pulumi.isSecret(value)), ctx as pulumi.Unwrap<C>);
    return resolved;
  });
}

// ---------------------------------------------------------------------------------------------
// What AWS accepts

/** The parts of an ARN. */
export interface ArnParts {
  /** `aws`, `aws-cn`, `aws-us-gov`, ... */
  partition: string;
  /** `sqs`, `sns`, `lambda`, `states`, ... */
  service: string;
  /** The region (empty for global services). */
  region: string;
  /** The 12-digit account id (empty for some services). */
  account: string;
  /** Everything after the account. */
  resource: string;
}

const ARN = /^arn:(aws(?:-[a-z]+)*):([a-z0-9-]+):([a-z]{2}(?:-[a-z]+)+-\d+|):(\d{12}|):(\S+)$/;

/** Splits an ARN, or returns undefined for anything that is not one. */
export function parseArn(value: string): ArnParts | undefined {
  const m = ARN.exec(value);
  return m ? { partition: m[1], service: m[2], region: m[3], account: m[4], resource: m[5] } : undefined;
}

/** What one kind of ARN looks like. */
export interface ArnKind {
  /** The service, e.g. `sqs`. */
  service: string;
  /** What the ARN names, for messages: "an SQS queue". */
  noun: string;
  /** The resource part, e.g. `/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/`. */
  resource: RegExp;
  /** An example, for messages. */
  example: string;
}

/** SQS queues, SNS topics, Lambda functions, state machines, KMS keys and CloudTrail trails. */
export const ARN_KINDS = {
  queue: {
    service: "sqs",
    noun: "an SQS queue",
    resource: /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/,
    example: "arn:aws:sqs:us-east-1:123456789012:jobs",
  },
  topic: {
    service: "sns",
    noun: "an SNS topic",
    resource: /^[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
    example: "arn:aws:sns:us-east-1:123456789012:alerts",
  },
  function: {
    service: "lambda",
    noun: "a Lambda function (unqualified)",
    resource: /^function:[A-Za-z0-9_-]{1,64}$/,
    example: "arn:aws:lambda:us-east-1:123456789012:function:resize",
  },
  stateMachine: {
    service: "states",
    noun: "a Step Functions state machine",
    resource: /^stateMachine:[A-Za-z0-9_-]{1,80}$/,
    example: "arn:aws:states:us-east-1:123456789012:stateMachine:process",
  },
  key: {
    service: "kms",
    noun: "a KMS key",
    resource: /^(key\/[A-Za-z0-9-]{1,128}|alias\/[A-Za-z0-9/_-]{1,250})$/,
    example: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  },
  trail: {
    service: "cloudtrail",
    noun: "a CloudTrail trail",
    resource: /^trail\/[A-Za-z0-9._-]{3,128}$/,
    example: "arn:aws:cloudtrail:us-east-1:123456789012:trail/management",
  },
} satisfies Record<string, ArnKind>;

/** The check that a string is an ARN of one kind (shape only). */
export function arnOf(owner: string, field: string, kind: ArnKind): StringCheck {
  return (value, display) => {
    const arn = parseArn(value);
    if (
      !arn ||
      arn.service !== kind.service ||
      !arn.region ||
      !arn.account ||
      !kind.resource.test(arn.resource)
    ) {
      throw argError(
        owner,
        field,
        `${display} is not the ARN of ${kind.noun}`,
        `Give one like "${kind.example}".`,
      );
    }
  };
}

/** Where this stack deploys: the AWS provider's region and account. */
export interface Deployment {
  /** The provider's region. */
  region: string;
  /** The provider's account id. */
  accountId: string;
}

/**
 * The check that an ARN is in the stack's region (and, when `sameAccount`, its account): S3
 * notifies destinations in the bucket's region only, EventBridge rules reach targets in their own
 * region, and this stack's provider can only manage resources in its own account.
 */
export function inDeployment(owner: string, field: string, sameAccount: string | false) {
  return (value: string, display: string, d: Deployment): void => {
    const arn = parseArn(value);
    if (!arn) return;
    if (arn.region !== d.region) {
      throw argError(
        owner,
        field,
        `${display} is in region ${arn.region}, but this stack deploys to ${d.region}; S3 and EventBridge only deliver within a region`,
        `Use a destination in ${d.region}, or give the component a provider for ${arn.region}.`,
      );
    }
    if (sameAccount && arn.account !== d.accountId) {
      throw argError(
        owner,
        field,
        `${display} belongs to account ${arn.account}, but this stack deploys with account ${d.accountId}, so it cannot ${sameAccount}`,
        `Give the component a provider for account ${arn.account}, or adopt it in a stack of that account.`,
      );
    }
  };
}

/** A URL with its credentials (user:password@) replaced, for messages. */
export function redactedUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/*)[^/?#@]*@/i, "$1***@");
}

/**
 * The check that a string is an HTTPS URL with a host and nothing around it, and without
 * credentials (`user:password@`) — or, with `credentials: "secret-only"`, with credentials only
 * when the whole URL is a secret (encrypted in the state).
 */
export function httpsUrl(
  owner: string,
  field: string,
  why: string,
  credentials: "refuse" | "secret-only" = "refuse",
): StringCheck {
  return (value, display, secret) => {
    const safe = secret ? display : shown(redactedUrl(value));
    const problem = httpsUrlProblem(value);
    if (problem === "white space") {
      throw argError(owner, field, `${safe} contains white space`, `Remove it: AWS refuses such a URL.`);
    }
    if (problem === "not https") {
      throw argError(owner, field, `${safe} is not an HTTPS URL`, `${why}: use an https:// URL.`);
    }
    if (problem === "credentials" && !(secret && credentials === "secret-only")) {
      throw argError(
        owner,
        field,
        `${safe} holds credentials (user:password@), which would be stored and shown in plain text`,
        credentials === "refuse"
          ? `Secrets belong in the connection: give the URL without them and the credentials as auth (a secret).`
          : `Give the URL as a secret (config.requireSecret / pulumi.secret) so it is encrypted, or without credentials.`,
      );
    }
  };
}

/**
 * What keeps a string from being a plain HTTPS URL: white space (around or in it), not `https://`
 * followed by a host (`https:host` and `https://` are refused, `HTTPS://host` is fine), or
 * credentials (`user:password@`).
 */
export function httpsUrlProblem(value: string): "white space" | "not https" | "credentials" | undefined {
  if (/\s/.test(value)) return "white space";
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // WHATWG URL reads `https:host` as https://host/; AWS wants the two slashes.
  if (!url || url.protocol !== "https:" || !/^https:\/\/[^/?#]/i.test(value) || !url.hostname)
    return "not https";
  if (url.username || url.password || /^https:\/\/[^/?#]*@/i.test(value)) return "credentials";
  return undefined;
}

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Email addresses as SNS takes them: local@domain.tld, no spaces, a dotted domain. */
export const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Phone numbers in E.164 form, as SNS takes them: `+`, a country code, at most 15 digits in all. */
export const E164 = /^\+[1-9][0-9]{6,14}$/;

/** The check that a string is an email address. */
export function emailAddress(owner: string, field: string): StringCheck {
  return (value, display) => {
    if (!EMAIL.test(value) || value.split("@")[0].startsWith(".") || value.includes("..")) {
      throw argError(
        owner,
        field,
        `${display} is not an email address`,
        `Give one like "ops@example.com" (no spaces, no display name).`,
      );
    }
  };
}

/** The check that a string is a phone number in E.164 form. */
export function e164(owner: string, field: string): StringCheck {
  return (value, display) => {
    if (!E164.test(value)) {
      throw argError(
        owner,
        field,
        `${display} is not a phone number in E.164 form`,
        `Give "+", the country code and the number, digits only, e.g. "+15555550100".`,
      );
    }
  };
}

/** The stack's region and account, as one output for {@link checkWith}. */
export function deploymentOf(ctx: {
  region: pulumi.Output<string>;
  accountId: pulumi.Output<string>;
}): pulumi.Output<Deployment> {
  return pulumi.all([ctx.region, ctx.accountId]).apply(([region, accountId]) => ({ region, accountId }));
}

/**
 * The checked ARN of an adopted standard queue or topic (`existing.arn`): an ARN of that kind, not
 * FIFO (S3 cannot deliver to FIFO), in the stack's region, and in its account when this stack writes
 * its access policy (`managed`).
 */
export function adoptedStandardArn(
  owner: string,
  value: pulumi.Input<string>,
  kind: "queue" | "topic",
  ctx: { region: pulumi.Output<string>; accountId: pulumi.Output<string> },
  managed: boolean,
): pulumi.Output<string> {
  const plural = `${kind}s`;
  return checkWith(
    checkInput(owner, "existing.arn", value, (arn, display) => {
      if (arn.endsWith(".fifo")) {
        throw ownerError(
          owner,
          `${display} is a FIFO ${kind}; S3 notifications can only go to standard ${plural}. ` +
            `Use a standard ${kind}, or route through EventBridge to reach a FIFO ${kind}.`,
          "existing.arn",
        );
      }
      arnOf(owner, "existing.arn", ARN_KINDS[kind])(arn, display, false);
    }),
    deploymentOf(ctx),
    inDeployment(owner, "existing.arn", managed && `have its ${kind} policy written here`),
  );
}

/**
 * The check that a string is a bucket name S3 accepts: for a new bucket, S3's naming rules (3 to 63
 * lower-case letters, digits, `.` and `-`, starting and ending with a letter or digit, no `..`, not
 * an IP address, no reserved prefix or suffix); for an existing one, also the legacy us-east-1 names
 * (up to 255 letters, digits, `.`, `-` and `_`).
 */
export function bucketNameCheck(owner: string, field: string, existing: boolean): StringCheck {
  return (value, display) => {
    const strict =
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) &&
      !value.includes("..") &&
      !/^\d+\.\d+\.\d+\.\d+$/.test(value) &&
      !/^(xn--|sthree-|amzn-s3-demo-)/.test(value) &&
      !/(-s3alias|--ol-s3|--x-s3|\.mrap|--table-s3)$/.test(value);
    const legacy = /^[A-Za-z0-9._-]{3,255}$/.test(value);
    if (!(strict || (existing && legacy))) {
      throw argError(
        owner,
        field,
        `${display} is not a valid S3 bucket name`,
        existing
          ? `Give the bucket's exact name (letters, digits, ".", "-" and "_").`
          : `Use 3 to 63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit.`,
      );
    }
  };
}
