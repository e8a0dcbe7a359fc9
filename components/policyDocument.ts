import * as pulumi from "@pulumi/pulumi";
/**
 * IAM policy documents as plain data, and the statements that let an AWS service principal reach
 * a resource on behalf of given sources — always scoped with both `aws:SourceArn` and
 * `aws:SourceAccount` (the confused-deputy guard).
 */

/** One IAM policy statement. */
export interface Statement {
  /** Statement id. */
  Sid?: string;
  /** Allow or Deny. */
  Effect: "Allow" | "Deny";
  /** Principal, e.g. `{ Service: "s3.amazonaws.com" }` or `"*"`. */
  Principal?: string | Record<string, string | string[]>;
  /** Actions. */
  Action: string | string[];
  /** Resources. */
  Resource: string | string[];
  /** Conditions. */
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/** A statement whose fields may be outputs (an ARN not yet known). */
export type StatementInput = { [K in keyof Statement]: pulumi.Input<Statement[K]> };

/** A policy document. */
export interface PolicyDocument {
  /** Always `2012-10-17`. */
  Version: "2012-10-17";
  /** The statements. */
  Statement: Statement[];
}

/**
 * Groups grants by service into one statement each, allowing `actions` on `resource` only for the
 * given source ARNs in the given account.
 */
export function serviceStatements(
  grants: readonly { service: string; sourceArn: string }[],
  actions: string[],
  resource: string,
  accountId: string,
  sidPrefix: string,
): Statement[] {
  const byService = new Map<string, string[]>();
  for (const g of grants) {
    const list = byService.get(g.service) ?? [];
    if (!list.includes(g.sourceArn)) list.push(g.sourceArn);
    byService.set(g.service, list);
  }
  return [...byService.entries()].map(([service, arns]) => ({
    Sid: `${sidPrefix}${service.split(".")[0].replace(/^./, (c) => c.toUpperCase())}`,
    Effect: "Allow",
    Principal: { Service: service },
    Action: actions.length === 1 ? actions[0] : actions,
    Resource: resource,
    Condition: {
      ArnLike: { "aws:SourceArn": arns.length === 1 ? arns[0] : arns },
      StringEquals: { "aws:SourceAccount": accountId },
    },
  }));
}

/** The trust policy of a role only `service` of this account may assume. */
export function assumedBy(service: string, accountId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(accountId).apply((account) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: service },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": account } },
        },
      ],
    }),
  );
}

/** A Sid-safe fragment of a name (its letters and digits, the first upper-case): `uploads-2` gives `Uploads2`. */
export function sidPart(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, "").replace(/^./, (c) => c.toUpperCase());
}
