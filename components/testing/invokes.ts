/**
 * How the mock engine answers a program's invokes (data sources), the way AWS and the provider
 * would: `aws.iam.getPolicyDocument` computes the policy JSON, the identity and location data
 * sources answer consistently with the stack's account, region and partition, lookups by name
 * answer with the identifiers AWS derives from the name, and everything else is unknown — never
 * "absent", so that no policy mistakes a value it cannot see for a value that is not there.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { PolicyDocumentArgs, policyDocumentJson } from "./policyDocument";

/** The value Pulumi's wire protocol uses for "not known until deploy". */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Where the answers come from. */
export interface InvokeContext {
  /** The AWS account id. */
  accountId: string;
  /** The default provider's region. */
  region: string;
}

/** The partition of a region, as AWS names it, with its DNS suffix. */
export function partitionOf(region: string): {
  partition: string;
  dnsSuffix: string;
  reverseDnsPrefix: string;
} {
  if (region.startsWith("cn-"))
    return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn", reverseDnsPrefix: "cn.com.amazonaws" };
  if (region.startsWith("us-gov-"))
    return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
  if (region.startsWith("us-iso-"))
    return { partition: "aws-iso", dnsSuffix: "c2s.ic.gov", reverseDnsPrefix: "gov.ic.c2s" };
  if (region.startsWith("us-isob-"))
    return { partition: "aws-iso-b", dnsSuffix: "sc2s.sgov.gov", reverseDnsPrefix: "gov.sgov.sc2s" };
  return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
}

/** `aws.getArn`: the parts of an ARN, or an error as the provider gives it. */
export function arnParts(arn: string): Record<string, string> {
  const m = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/.exec(arn);
  if (!m) throw new Error(`invalid ARN "${arn}": arn: invalid prefix`);
  const [, partition, service, region, account, resource] = m;
  return { arn, id: arn, partition, service, region, account, resource };
}

const resultFieldCache = new Map<string, string[] | undefined>();

/**
 * The result fields of a provider function, read from the declaration file of the package that
 * defines it (`aws:s3/getBucket:getBucket` → `@pulumi/aws/s3/getBucket.d.ts`, `interface
 * GetBucketResult`), resolved from `from` (the program's directory) so that the program's own
 * version answers. Undefined when the declaration cannot be found.
 */
export function resultFields(token: string, from: string = process.cwd()): string[] | undefined {
  const key = `${from}|${token}`;
  if (resultFieldCache.has(key)) return resultFieldCache.get(key);
  let fields: string[] | undefined;
  const m = /^([^:]+):([^/:]+)\/([^:]+):([^:]+)$/.exec(token);
  if (m) {
    const [, pkg, mod, file, fn] = m;
    try {
      const root = path.dirname(require.resolve(`@pulumi/${pkg}/package.json`, { paths: [from, __dirname] }));
      const dts = path.join(root, ...(mod === "index" ? [] : [mod]), `${file}.d.ts`);
      if (existsSync(dts)) {
        const text = readFileSync(dts, "utf8");
        const name = `${fn[0].toUpperCase()}${fn.slice(1)}Result`;
        const body = new RegExp(`interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1];
        if (body) fields = [...body.matchAll(/^\s*readonly (\w+)\??:/gm)].map((x) => x[1]);
      }
    } catch {
      fields = undefined;
    }
  }
  resultFieldCache.set(key, fields);
  return fields;
}

/** Every result field not given as an argument is unknown; the arguments echo back (as the provider's results do). */
function unknownBeyond(
  token: string,
  inputs: Record<string, unknown>,
  from?: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of resultFields(token, from) ?? []) out[f] = UNKNOWN_VALUE;
  for (const [k, v] of Object.entries(inputs)) if (v !== undefined) out[k] = v;
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * The answer to one invoke. Lookups that AWS answers from a name alone (a bucket's ARN, a queue's
 * URL) answer those fields and leave the rest unknown.
 *
 * @param from  the directory the program's packages resolve from (for the result fields of other functions).
 */
export function answerInvoke(
  token: string,
  inputs: Record<string, unknown>,
  ctx: InvokeContext,
  from?: string,
): Record<string, unknown> {
  const region = str(inputs.region) ?? ctx.region;
  const { partition, dnsSuffix, reverseDnsPrefix } = partitionOf(region);
  const account = ctx.accountId;
  switch (token) {
    case "aws:iam/getPolicyDocument:getPolicyDocument": {
      const json = policyDocumentJson(inputs as PolicyDocumentArgs);
      // The provider's id is a hash of the document; any stable value serves offline.
      return { ...inputs, json, minifiedJson: JSON.stringify(JSON.parse(json)), id: String(hash(json)) };
    }
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: account,
        arn: `arn:${partition}:iam::${account}:user/offline`,
        userId: "AIDAOFFLINE",
        id: account,
      };
    case "aws:index/getRegion:getRegion":
      return {
        name: region,
        region,
        id: region,
        description: UNKNOWN_VALUE,
        endpoint: `ec2.${region}.${dnsSuffix}`,
      };
    case "aws:index/getPartition:getPartition":
      return { partition, id: partition, dnsSuffix, reverseDnsPrefix };
    case "aws:index/getArn:getArn":
      return arnParts(String(inputs.arn));
    case "aws:index/getAvailabilityZones:getAvailabilityZones": {
      const names = ["a", "b", "c"].map((z) => `${region}${z}`);
      return { ...inputs, id: region, names, zoneIds: UNKNOWN_VALUE, groupNames: UNKNOWN_VALUE };
    }
    case "aws:s3/getBucket:getBucket": {
      const bucket = String(inputs.bucket);
      return {
        ...unknownBeyond(token, inputs, from),
        id: bucket,
        bucket,
        arn: `arn:${partition}:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.${dnsSuffix}`,
      };
    }
    case "aws:sqs/getQueue:getQueue": {
      const name = String(inputs.name);
      const url = `https://sqs.${region}.${dnsSuffix}/${account}/${name}`;
      return {
        ...unknownBeyond(token, inputs, from),
        id: url,
        url,
        arn: `arn:${partition}:sqs:${region}:${account}:${name}`,
      };
    }
    case "aws:sns/getTopic:getTopic": {
      const arn = `arn:${partition}:sns:${region}:${account}:${String(inputs.name)}`;
      return { ...unknownBeyond(token, inputs, from), id: arn, arn };
    }
    case "aws:lambda/getFunction:getFunction": {
      const name = String(inputs.functionName);
      const arn = /^arn:/.test(name) ? name : `arn:${partition}:lambda:${region}:${account}:function:${name}`;
      return { ...unknownBeyond(token, inputs, from), id: name, arn };
    }
    case "aws:iam/getRole:getRole": {
      const name = String(inputs.name);
      return {
        ...unknownBeyond(token, inputs, from),
        id: name,
        arn: `arn:${partition}:iam::${account}:role/${name}`,
      };
    }
    default:
      return unknownBeyond(token, inputs, from);
  }
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}
