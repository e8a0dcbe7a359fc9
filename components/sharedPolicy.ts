/**
 * SharedAccessPolicy: this stack's statements in the access policy of a queue or topic it does not
 * own (adopted with `existing`), added next to everyone else's instead of replacing the policy.
 *
 * `aws.sqs.QueuePolicy` and `aws.sns.TopicPolicy` write the whole policy, so on an adopted queue
 * they would take away every other producer's permission. This resource is a Pulumi dynamic
 * provider that runs in the Pulumi engine and calls SQS (GetQueueAttributes / SetQueueAttributes)
 * or SNS (GetTopicAttributes / SetTopicAttributes) with the AWS SDK v3: it reads the live policy and
 * writes back every foreign statement exactly as read plus this stack's statements, which carry
 * owner-namespaced Sids (see `policyMerge`).
 *
 * ## What a user sees at preview
 *
 * `check` (every preview) reads the live policy and fails when a foreign statement denies, without a
 * condition, what this stack's statement allows (S3 would fail its test delivery), and when the
 * queue or topic does not exist. `diff` (previews of updates) also fails when a statement this stack
 * wrote, and still declares, was removed or changed by someone else since (drift), saying to run
 * `pulumi refresh` and then `pulumi up`. `create` and `update` check both again on the policy they
 * are about to write.
 *
 * ## Concurrent writers
 *
 * SQS and SNS have no conditional write for attributes. A write reads, merges, reads again just
 * before writing (a change since the first read restarts the cycle after a back-off: 0.5 s, 1 s,
 * 2 s, 4 s by default, 5 attempts), then writes. It does not verify by reading back: SQS documents
 * that an attribute change can take up to 60 seconds to propagate, so a read-back may show the old
 * policy. The residual window: a foreign write landing between our last read and our write is
 * overwritten; another stack using this resource sees it as drift at its next preview.
 *
 * ## Removal
 *
 * Update and delete remove only this resource's statements. When no statement is left, the policy
 * is removed (the attribute is set to an empty string).
 *
 * ## Credentials and region
 *
 * The client is created in the region of the queue's or topic's ARN, with the AWS SDK's default
 * credential chain of the process running Pulumi. The identity needs `sqs:GetQueueAttributes` and
 * `sqs:SetQueueAttributes` on the queue, or `sns:GetTopicAttributes` and `sns:SetTopicAttributes` on
 * the topic.
 */
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import * as pulumi from "@pulumi/pulumi";
import {
  findPolicyConflicts,
  findPolicyDrift,
  mergePolicy,
  parsePolicy,
  PolicyDocumentLike,
  PolicyKind,
  PolicyStatementLike,
  samePolicy,
  splitPolicy,
  validateStatements,
} from "../model/policyMerge";

/** The dynamic resource's inputs (and state): plain, serializable values. */
export interface SharedPolicyInputs {
  /** `sqs` for a queue, `sns` for a topic. */
  kind: PolicyKind;
  /** The queue's or topic's ARN (its region is the client's). */
  arn: string;
  /** The queue's URL (SQS addresses queues by URL); empty for a topic. */
  url: string;
  /** The Sid prefix of this resource's statements (`pulumi_<digest>_<component>_`). */
  sidPrefix: string;
  /** This stack's statements, each with a Sid starting with `sidPrefix`. */
  statements: PolicyStatementLike[];
}

/** Options of {@link sharedPolicyProvider}. */
export interface SharedPolicyProviderOptions {
  /** Creates the SQS client for a region. Default: `new SQSClient({ region })`, loaded when first needed. */
  sqsClient?: (region: string) => SQSClient | Promise<SQSClient>;
  /** Creates the SNS client for a region. Default: `new SNSClient({ region })`, loaded when first needed. */
  snsClient?: (region: string) => SNSClient | Promise<SNSClient>;
  /** Attempts of the read-merge-write cycle before giving up. Default 5. */
  maxAttempts?: number;
  /** The first back-off delay in milliseconds, doubled after each lost race (with jitter). Default 500. */
  baseDelayMs?: number;
}

/** What Pulumi passes for a value not known yet (preview). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * The dynamic provider: check / diff / create / read / update / delete of this stack's statements in
 * the policy of a queue or topic. Pulumi serializes the returned object with what it references, so
 * it is kept to plain functions over `policyMerge` and loads the AWS SDK only when called.
 *
 * @param options  client factories and retry bounds; defaults suit production.
 */
export function sharedPolicyProvider(
  options: SharedPolicyProviderOptions = {},
): pulumi.dynamic.ResourceProvider<SharedPolicyInputs, SharedPolicyInputs> {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const isUnknown = (v: unknown): boolean => v === UNKNOWN;
  const hasUnknown = (v: unknown): boolean =>
    isUnknown(v) ||
    (Array.isArray(v) && v.some(hasUnknown)) ||
    (typeof v === "object" && v !== null && Object.values(v).some(hasUnknown));

  const regionOf = (arn: string): string => arn.split(":")[3] ?? "";
  const describe = (s: SharedPolicyInputs): string => `${s.kind === "sqs" ? "queue" : "topic"} "${s.arn}"`;
  const errorName = (e: unknown): string => (e as { name?: string } | undefined)?.name ?? "Error";
  const errorMessage = (e: unknown): string => (e as { message?: string } | undefined)?.message ?? String(e);
  const missing = (s: SharedPolicyInputs) =>
    new Error(
      `The ${describe(s)} does not exist, so no statement can be added to its access policy. Check ` +
        `"existing.arn"${s.kind === "sqs" ? ' and "existing.url"' : ""}.`,
    );

  /** The live policy text: undefined when it has none, null when the queue or topic does not exist. */
  const getPolicy = async (s: SharedPolicyInputs): Promise<string | undefined | null> => {
    const region = regionOf(s.arn);
    try {
      if (s.kind === "sqs") {
        const { SQSClient, GetQueueAttributesCommand } = await import("@aws-sdk/client-sqs");
        const client = options.sqsClient ? await options.sqsClient(region) : new SQSClient({ region });
        const out = await client.send(
          new GetQueueAttributesCommand({ QueueUrl: s.url, AttributeNames: ["Policy"] }),
        );
        return out.Attributes?.Policy;
      }
      const { SNSClient, GetTopicAttributesCommand } = await import("@aws-sdk/client-sns");
      const client = options.snsClient ? await options.snsClient(region) : new SNSClient({ region });
      const out = await client.send(new GetTopicAttributesCommand({ TopicArn: s.arn }));
      return out.Attributes?.Policy;
    } catch (e) {
      const name = errorName(e);
      if (
        [
          "QueueDoesNotExist",
          "AWS.SimpleQueueService.NonExistentQueue",
          "NotFound",
          "NotFoundException",
        ].includes(name)
      ) {
        return null;
      }
      throw new Error(
        `Reading the access policy of ${describe(s)} failed: ${name}: ${errorMessage(e).replace(/\.?$/, ".")} The ` +
          `identity running Pulumi needs ${s.kind === "sqs" ? "sqs:GetQueueAttributes" : "sns:GetTopicAttributes"} on it.`,
      );
    }
  };

  const setPolicy = async (s: SharedPolicyInputs, policy: PolicyDocumentLike | undefined): Promise<void> => {
    const region = regionOf(s.arn);
    const text = policy ? JSON.stringify(policy) : "";
    try {
      if (s.kind === "sqs") {
        const { SQSClient, SetQueueAttributesCommand } = await import("@aws-sdk/client-sqs");
        const client = options.sqsClient ? await options.sqsClient(region) : new SQSClient({ region });
        await client.send(new SetQueueAttributesCommand({ QueueUrl: s.url, Attributes: { Policy: text } }));
        return;
      }
      const { SNSClient, SetTopicAttributesCommand } = await import("@aws-sdk/client-sns");
      const client = options.snsClient ? await options.snsClient(region) : new SNSClient({ region });
      await client.send(
        new SetTopicAttributesCommand({ TopicArn: s.arn, AttributeName: "Policy", AttributeValue: text }),
      );
    } catch (e) {
      throw new Error(
        `${s.kind === "sqs" ? "SQS" : "SNS"} refused the access policy of ${describe(s)}: ${errorName(e)}: ` +
          `${errorMessage(e).replace(/\.?$/, ".")} The identity running Pulumi needs ` +
          `${s.kind === "sqs" ? "sqs:SetQueueAttributes" : "sns:SetTopicAttributes"} on it.`,
      );
    }
  };

  const read = async (s: SharedPolicyInputs): Promise<PolicyDocumentLike | undefined | null> => {
    const text = await getPolicy(s);
    return text === null ? null : parsePolicy(text, describe(s));
  };

  const sids = (...sources: SharedPolicyInputs[]): Set<string> =>
    new Set(
      sources
        .flatMap((s) => (Array.isArray(s.statements) ? s.statements : []))
        .flatMap((st) => (st.Sid ? [st.Sid] : [])),
    );

  /** The conflicts (and, with `written`, the drift) of desired statements against a live policy. */
  const problems = (
    news: SharedPolicyInputs,
    live: PolicyDocumentLike | undefined,
    owned: Set<string>,
    written?: SharedPolicyInputs,
  ): string[] => {
    const { ours, foreign } = splitPolicy(live, owned);
    const keep = sids(news);
    const drift = written
      ? findPolicyDrift(
          describe(news),
          written.statements.filter((s) => s.Sid !== undefined && keep.has(s.Sid)),
          ours,
        )
      : [];
    return [...drift, ...findPolicyConflicts(describe(news), foreign, news.statements)];
  };

  const sleep = (attempt: number): Promise<void> => {
    const ms = baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
    return new Promise((resolve) => setTimeout(resolve, ms));
  };

  /** Read, check, merge, re-read, write; until written or `maxAttempts` lost races. */
  const converge = async (
    news: SharedPolicyInputs,
    written: SharedPolicyInputs | undefined,
    desired: PolicyStatementLike[],
  ): Promise<void> => {
    const owned = sids(news, ...(written ? [written] : []));
    const races: string[] = [];
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(attempt - 1);
      const live = await read(news);
      if (live === null) {
        if (desired.length === 0) return;
        throw missing(news);
      }
      if (desired.length > 0) {
        const found = problems(news, live, owned, written);
        if (found.length > 0) throw new Error(found.join("\n"));
      }
      const next = mergePolicy(live, owned, desired);
      if (samePolicy(live, next)) return;
      const again = await read(news);
      if (again === null || !samePolicy(live, again)) {
        races.push(`attempt ${attempt}: the policy changed between two reads`);
        continue;
      }
      await setPolicy(news, next);
      return;
    }
    throw new Error(
      `Another writer kept changing the access policy of ${describe(news)} while this stack was writing its ` +
        `statements (${races.join("; ")}). Gave up after ${maxAttempts} attempts rather than risk losing a ` +
        "statement; nothing was changed. Run `pulumi up` again once the other writer is done.",
    );
  };

  return {
    async check(_olds, news) {
      if (!Array.isArray(news.statements) || hasUnknown([news.kind, news.sidPrefix])) return { inputs: news };
      const failures = validateStatements(describe(news), news.sidPrefix, news.statements).map((reason) => ({
        property: "statements",
        reason,
      }));
      if (failures.length > 0 || hasUnknown([news.arn, news.url, news.statements]))
        return { inputs: news, failures };
      const live = await read(news);
      if (live === null)
        return { inputs: news, failures: [{ property: "arn", reason: missing(news).message }] };
      return {
        inputs: news,
        failures: problems(news, live, sids(news)).map((reason) => ({ property: "statements", reason })),
      };
    },

    async diff(_id, olds, news) {
      if (isUnknown(news.arn)) return { changes: true };
      if (olds.arn !== news.arn || olds.kind !== news.kind) return { changes: true, replaces: ["arn"] };
      if (Array.isArray(news.statements) && !hasUnknown(news)) {
        const live = await read(news);
        if (live !== null) {
          const found = problems(news, live, sids(news, olds), olds);
          if (found.length > 0) throw new Error(found.join("\n"));
        }
      }
      const comparable = (s: SharedPolicyInputs) => JSON.stringify([s.url, s.sidPrefix, s.statements]);
      return { changes: hasUnknown(news) || comparable(olds) !== comparable(news) };
    },

    async create(inputs) {
      await converge(inputs, undefined, inputs.statements);
      return { id: inputs.arn, outs: inputs };
    },

    async read(id, props) {
      if (!props) {
        throw new Error(
          `SharedAccessPolicy "${id}": reading needs the recorded state (import is not supported).`,
        );
      }
      const live = await read(props);
      if (live === null) return {};
      return { id, props: { ...props, statements: splitPolicy(live, sids(props)).ours } };
    },

    async update(_id, olds, news) {
      await converge(news, olds, news.statements);
      return { outs: news };
    },

    async delete(_id, props) {
      await converge(props, undefined, []);
    },
  };
}

/** Arguments of {@link SharedAccessPolicy}. */
export interface SharedAccessPolicyArgs {
  /** `sqs` for a queue, `sns` for a topic. */
  kind: PolicyKind;
  /** The queue's or topic's ARN. */
  arn: pulumi.Input<string>;
  /** The queue's URL (queues only). */
  url?: pulumi.Input<string>;
  /** The Sid prefix of this resource's statements (`ownershipSidPrefix`). */
  sidPrefix: string;
  /** This stack's statements, Sids starting with `sidPrefix`. */
  statements: pulumi.Input<PolicyStatementLike[]>;
}

let defaultProvider: pulumi.dynamic.ResourceProvider | undefined;

/**
 * This stack's statements in the access policy of an adopted queue or topic, next to everyone
 * else's. Its type is `pulumi-nodejs:dynamic:Resource`; its inputs are `kind`, `arn`, `url`,
 * `sidPrefix` and `statements`. See the module comment for ownership, preview-time conflicts and
 * concurrent writers.
 */
export class SharedAccessPolicy extends pulumi.dynamic.Resource {
  /** `sqs` or `sns`. */
  declare readonly kind: pulumi.Output<PolicyKind>;
  /** The queue's or topic's ARN. */
  declare readonly arn: pulumi.Output<string>;
  /** This stack's statements as last written. */
  declare readonly statements: pulumi.Output<PolicyStatementLike[]>;

  /**
   * @param name      the resource's name.
   * @param args      the queue or topic and this stack's statements.
   * @param opts      resource options.
   * @param provider  the provider; default `sharedPolicyProvider()` with its defaults.
   */
  constructor(
    name: string,
    args: SharedAccessPolicyArgs,
    opts?: pulumi.CustomResourceOptions,
    provider?: pulumi.dynamic.ResourceProvider,
  ) {
    super(
      provider ?? (defaultProvider ??= sharedPolicyProvider()),
      name,
      {
        kind: args.kind,
        arn: args.arn,
        url: args.url ?? "",
        sidPrefix: args.sidPrefix,
        statements: args.statements,
      },
      opts,
    );
  }
}
