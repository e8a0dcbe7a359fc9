/**
 * SharedBucketNotification: this stack's routes on a bucket it does not own, added to the bucket's
 * notification configuration next to everyone else's entries instead of replacing it.
 *
 * `aws.s3.BucketNotification` (like Terraform's resource) writes the whole configuration, so on an
 * adopted bucket it deletes every entry made in the console or by other stacks. This resource is a
 * Pulumi dynamic provider that runs in the Pulumi engine itself and calls S3 with the AWS SDK v3
 * (no helper Lambda, no custom resource): it reads the live configuration
 * (GetBucketNotificationConfiguration) and writes back (PutBucketNotificationConfiguration) the
 * foreign entries exactly as read plus this stack's entries.
 *
 * ## Ownership
 *
 * This stack's entries carry Ids `pulumi:<organization>:<project>:<stack>:<route>` (see `notificationMerge`,
 * which also says how entries with the legacy Id of earlier versions are treated). An
 * entry is this resource's when its Id is in its state (written by it) or in its inputs (about to be
 * written); update replaces only those, delete removes only those; every other entry is foreign and
 * is written back untouched. An entry that already carries an Id this resource is about to write
 * (say, left by a run whose state was lost) is taken over: the namespace is the claim. So two
 * EventBuckets of one stack may adopt the same bucket only with different route names.
 *
 * ## What a user sees at preview
 *
 * `check` (every preview, creates included) and `diff` (previews of updates) read the live
 * configuration and fail before anything is changed when one of this stack's routes overlaps a
 * foreign entry, naming both (e.g. `Bucket "shared-uploads": route "thumbs" of this stack (Id
 * "pulumi:photos:prod:thumbs", prefix "raw photos/" → arn:…) overlaps the entry "console-audit" that
 * another writer (not a Pulumi stack using these components, e.g. the console) keeps on the bucket (the
 * whole bucket → arn:…): both receive s3:ObjectCreated:* …`), and `diff` also fails when an entry
 * this stack wrote, and still declares, was removed or changed by someone else since (drift; also
 * EventBridge turned off while this stack needs it), saying to run `pulumi refresh` (accept the
 * bucket as it is) and then `pulumi up` (write this stack's routes again). `create` and `update` check both again on the
 * configuration they are about to write.
 *
 * ## The EventBridge switch
 *
 * `EventBridgeConfiguration` is one switch for the whole bucket. It is turned on when this stack
 * needs it (`eventbridge: true`) and is never turned off by this resource, not on update and not on
 * delete, even when this resource was the one that turned it on (recorded as
 * `eventBridgeEnabledByUs` in the state, for people). Rules of other stacks, accounts or teams may
 * have started to rely on it since, and nothing in the notification configuration shows them: a stack
 * whose routes all go through EventBridge writes no entry at all. Turning it off could silently stop
 * their events; leaving it on only sends events to the default bus, where rules that do not match
 * ignore them. Turn it off by hand when you know no one relies on it.
 *
 * ## Concurrent writers and the residual window
 *
 * S3 has no conditional write for this API (no ETag, no If-Match, no version), so a write is guarded
 * by a cycle: read, merge, read again just before writing (a foreign change since the first read
 * restarts the cycle), write, read back; the cycle succeeds only when the configuration read back is
 * exactly the one written. Otherwise another writer wrote in between — our entries may be gone, a
 * foreign entry added or changed — and the cycle starts again from a fresh read after an exponential
 * back-off with jitter (0.5 s, 1 s, 2 s, 4 s by default), 5 attempts at most, then fails with a clear
 * error instead of losing an entry; `OperationAborted` (S3's own conflict answer) counts as a lost
 * race. Nothing is ever written from a stale merge after a mismatch was seen.
 *
 * What no reader can see: a foreign write that lands entirely between our last read and our Put
 * (about one request round trip) is overwritten by our Put, and the configuration read back is then
 * exactly ours, so the loss is not detected here. Another stack using this resource notices it at
 * its next preview (its entry is reported as drift); a console edit in that window is lost. S3 also
 * documents bucket configuration reads as eventually consistent, which can widen that window right
 * after another writer's change; the back-off leaves time for it to settle.
 *
 * When a cycle fails after one of its writes went through, the error carries the live state of this
 * stack's entries (Pulumi records it as a partially created or updated resource), so the next
 * `pulumi up` continues from what is really on the bucket and does not report its own write as drift.
 *
 * ## Credentials and region
 *
 * The S3 client is created inside the provider, in the region given as an input (the bucket's
 * region), with the AWS SDK's default credential chain of the process running Pulumi (environment,
 * `AWS_PROFILE`, SSO, instance role). It does not use the `aws` provider's configuration (for example
 * `aws:profile` or an explicit provider's `assumeRole`). The identity needs `s3:GetBucketNotification`
 * and `s3:PutBucketNotification` on the bucket.
 */
import type { S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import * as pulumi from "@pulumi/pulumi";
import {
  NotificationEntry,
  LambdaEntryInput,
  QueueEntryInput,
  S3NotificationConfiguration,
  TopicEntryInput,
  eventBridgeOn,
  findConflicts,
  findDrift,
  inputEntries,
  mergeConfiguration,
  ownershipId,
  ownershipNamespace,
  sameConfiguration,
  splitConfiguration,
  toInputEntries,
  validateEntries,
} from "../model/notificationMerge";

/** The dynamic resource's inputs: plain, serializable values (entries as `aws.s3.BucketNotification`'s). */
export interface SharedNotificationInputs {
  /** The bucket's name. */
  bucket: string;
  /** The bucket's region: the S3 client is created there. */
  region: string;
  /** This stack's ownership namespace, `pulumi:<organization>:<project>:<stack>`; every entry Id starts with it. */
  namespace: string;
  /** Whether this stack needs the bucket's EventBridge delivery on. */
  eventbridge: boolean;
  /** Lambda entries, Ids namespaced. */
  lambdaFunctions: LambdaEntryInput[];
  /** SQS entries, Ids namespaced. */
  queues: QueueEntryInput[];
  /** SNS entries, Ids namespaced. */
  topics: TopicEntryInput[];
}

/** The dynamic resource's state: its inputs as last written, and what it did to the EventBridge switch. */
export interface SharedNotificationState extends SharedNotificationInputs {
  /** True when this resource turned EventBridge delivery on (it was off); it never turns it off. */
  eventBridgeEnabledByUs: boolean;
}

/** Options of {@link sharedNotificationProvider}. */
export interface SharedNotificationProviderOptions {
  /**
   * Creates the S3 client for a region. Default: `new S3Client({ region, followRegionRedirects: true })`
   * with the SDK's default credential chain, loaded when first needed. Tests pass a client of their own.
   */
  s3Client?: (region: string) => S3Client | Promise<S3Client>;
  /** Attempts of the read-merge-write-verify cycle before giving up. Default 5. */
  maxAttempts?: number;
  /** The first back-off delay in milliseconds, doubled after each lost race (with jitter). Default 500. */
  baseDelayMs?: number;
}

/** The error Pulumi's dynamic provider host turns into a partially created/updated resource. */
interface PartialWriteError extends Error {
  /** The resource's id. */
  id: string;
  /** The state to record. */
  properties: Record<string, unknown>;
  /** Why the operation did not complete. */
  reasons: string[];
}

/** What Pulumi passes for a value not known yet (preview). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * The dynamic provider: check / diff / create / read / update / delete of this stack's entries on a
 * shared bucket. Pulumi serializes the returned object with everything it references, so it is kept
 * to plain functions over `notificationMerge` and loads `@aws-sdk/client-s3` only when called.
 *
 * @param options  the S3 client factory and the retry bounds; defaults suit production.
 */
export function sharedNotificationProvider(
  options: SharedNotificationProviderOptions = {},
): pulumi.dynamic.ResourceProvider<SharedNotificationInputs, SharedNotificationState> {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 500;

  const isUnknown = (v: unknown): boolean => v === UNKNOWN;
  const hasUnknown = (v: unknown): boolean =>
    isUnknown(v) ||
    (Array.isArray(v) && v.some(hasUnknown)) ||
    (typeof v === "object" && v !== null && Object.values(v).some(hasUnknown));
  /** False while an entry list as a whole is not known yet (preview). */
  const listsKnown = (s: SharedNotificationInputs): boolean =>
    [s.lambdaFunctions, s.queues, s.topics].every(Array.isArray);

  const client = async (region: string): Promise<S3Client> => {
    if (options.s3Client) return options.s3Client(region);
    const s3 = await import("@aws-sdk/client-s3");
    return new s3.S3Client({ region, followRegionRedirects: true });
  };

  const awsError = (e: unknown): { name: string; message: string } => {
    const err = e as Partial<S3ServiceException> | undefined;
    return { name: err?.name ?? "Error", message: err?.message ?? String(e) };
  };

  /** The live configuration, or undefined when the bucket does not exist. */
  const getConfig = async (
    s3: S3Client,
    bucket: string,
  ): Promise<S3NotificationConfiguration | undefined> => {
    const { GetBucketNotificationConfigurationCommand } = await import("@aws-sdk/client-s3");
    try {
      const out = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
      const config: S3NotificationConfiguration = {};
      if (out.LambdaFunctionConfigurations?.length)
        config.LambdaFunctionConfigurations = out.LambdaFunctionConfigurations;
      if (out.QueueConfigurations?.length) config.QueueConfigurations = out.QueueConfigurations;
      if (out.TopicConfigurations?.length) config.TopicConfigurations = out.TopicConfigurations;
      if (out.EventBridgeConfiguration) config.EventBridgeConfiguration = out.EventBridgeConfiguration;
      return config;
    } catch (e) {
      const { name, message } = awsError(e);
      if (name === "NoSuchBucket") return undefined;
      throw new Error(
        `Bucket "${bucket}": reading its notification configuration failed: ${name}: ${message.replace(/\.?$/, ".")} ` +
          `The identity running Pulumi needs s3:GetBucketNotification on arn:aws:s3:::${bucket}.`,
      );
    }
  };

  /** Writes a whole configuration; returns false when S3 answered that another write was in progress. */
  const putConfig = async (
    s3: S3Client,
    bucket: string,
    config: S3NotificationConfiguration,
  ): Promise<boolean> => {
    const { PutBucketNotificationConfigurationCommand } = await import("@aws-sdk/client-s3");
    type Put = ConstructorParameters<typeof PutBucketNotificationConfigurationCommand>[0];
    try {
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: config as Put["NotificationConfiguration"],
        }),
      );
      return true;
    } catch (e) {
      const { name, message } = awsError(e);
      if (name === "OperationAborted") return false;
      throw new Error(
        `Bucket "${bucket}": S3 refused the notification configuration: ${name}: ${message} ` +
          `(the identity running Pulumi needs s3:PutBucketNotification; every destination's permission or ` +
          `policy must let S3 deliver to it).`,
      );
    }
  };

  const sleep = (attempt: number): Promise<void> => {
    const ms = baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
    return new Promise((resolve) => setTimeout(resolve, ms));
  };

  const missingBucket = (bucket: string) =>
    new Error(
      `Bucket "${bucket}" does not exist (NoSuchBucket), so no route can be added to it. ` +
        `Check "existing.bucketName" and the region.`,
    );

  const ownedIds = (...sources: SharedNotificationInputs[]): Set<string> =>
    new Set(sources.flatMap((s) => inputEntries(s).map((e) => e.id)));

  /** The static problems of a resource's inputs (no AWS call). */
  const problems = (news: SharedNotificationInputs): string[] => {
    const out: string[] = [];
    for (const field of ["bucket", "region", "namespace"] as const) {
      if (!isUnknown(news[field]) && (typeof news[field] !== "string" || news[field] === "")) {
        out.push(`"${field}" must be a non-empty string.`);
      }
    }
    if (out.length > 0) return out;
    return validateEntries(news.bucket, news.namespace, inputEntries(news));
  };

  /** The conflicts (and, with `written`, the drift) of desired entries against a live configuration. */
  const conflicts = (
    news: SharedNotificationInputs,
    live: S3NotificationConfiguration,
    owned: Set<string>,
    written?: SharedNotificationState,
  ): string[] => {
    const { ours, foreign } = splitConfiguration(live, owned);
    // Drift matters for the entries (and the switch) this stack keeps; a route being removed is moot.
    const keep = new Set(inputEntries(news).map((e) => e.id));
    const drift = written
      ? findDrift(
          news.bucket,
          inputEntries(written).filter((e) => keep.has(e.id)),
          ours,
          written.eventbridge && news.eventbridge,
          eventBridgeOn(live),
        )
      : [];
    return [...drift, ...findConflicts(news.bucket, news.namespace, foreign, inputEntries(news), isUnknown)];
  };

  /** This resource's state as the bucket holds it now. */
  const liveState = (
    base: SharedNotificationInputs,
    live: S3NotificationConfiguration,
    owned: Set<string>,
    eventBridgeEnabledByUs: boolean,
  ): SharedNotificationState => ({
    ...base,
    ...toInputEntries(splitConfiguration(live, owned).ours),
    eventbridge: base.eventbridge && eventBridgeOn(live),
    eventBridgeEnabledByUs,
  });

  /**
   * The guarded write: read, check, merge, re-read, write, read back, until the bucket holds exactly
   * what was written, or `maxAttempts` lost races.
   */
  const converge = async (
    news: SharedNotificationInputs,
    written: SharedNotificationState | undefined,
  ): Promise<SharedNotificationState> => {
    const s3 = await client(news.region);
    const owned = ownedIds(news, ...(written ? [written] : []));
    const desired: NotificationEntry[] = inputEntries(news);
    let wrote = false;
    let last: S3NotificationConfiguration | undefined;
    let enabledByUs = written?.eventBridgeEnabledByUs ?? false;
    const races: string[] = [];
    try {
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        if (attempt > 1) await sleep(attempt - 1);
        const live = await getConfig(s3, news.bucket);
        if (!live) throw missingBucket(news.bucket);
        last = live;
        // Drift is judged against what this resource wrote before this operation, not after its own write.
        const found = conflicts(news, live, owned, wrote ? undefined : written);
        if (found.length > 0) throw new Error(found.join("\n"));
        const next = mergeConfiguration(live, owned, desired, news.eventbridge);
        const turnsOn = news.eventbridge && !eventBridgeOn(live);
        if (sameConfiguration(live, next)) {
          return { ...news, eventBridgeEnabledByUs: enabledByUs };
        }
        const again = await getConfig(s3, news.bucket);
        if (!again) throw missingBucket(news.bucket);
        last = again;
        if (!sameConfiguration(live, again)) {
          races.push(`attempt ${attempt}: the configuration changed between two reads`);
          continue;
        }
        if (!(await putConfig(s3, news.bucket, next))) {
          races.push(`attempt ${attempt}: S3 answered OperationAborted (another write in progress)`);
          continue;
        }
        wrote = true;
        if (turnsOn) enabledByUs = true;
        const back = await getConfig(s3, news.bucket);
        if (!back) throw missingBucket(news.bucket);
        last = back;
        if (sameConfiguration(next, back)) {
          return { ...news, eventBridgeEnabledByUs: enabledByUs };
        }
        races.push(`attempt ${attempt}: another writer changed the configuration right after our write`);
      }
    } catch (e) {
      // Whatever stops the cycle after one of its writes went through, record what is on the bucket.
      throw partial(e instanceof Error ? e : new Error(String(e)), wrote, news, last, owned, enabledByUs);
    }
    throw partial(
      new Error(
        `Bucket "${news.bucket}": another writer kept changing the notification configuration while this stack ` +
          `was writing its routes (${races.join("; ")}). Gave up after ${maxAttempts} attempts rather than risk ` +
          `losing an entry. ${wrote ? "This stack's entries as they are now on the bucket were recorded. " : "Nothing was changed. "}` +
          `Run \`pulumi up\` again once the other writer is done.`,
      ),
      wrote,
      news,
      last,
      owned,
      enabledByUs,
    );
  };

  /** Attaches the live state to an error once a write went through, so Pulumi records it. */
  const partial = (
    error: Error,
    wrote: boolean,
    news: SharedNotificationInputs,
    live: S3NotificationConfiguration | undefined,
    owned: Set<string>,
    enabledByUs: boolean,
  ): Error => {
    if (!wrote || !live) return error;
    const withState = error as PartialWriteError;
    withState.id = news.bucket;
    withState.properties = { ...liveState(news, live, owned, enabledByUs) };
    withState.reasons = [error.message];
    return withState;
  };

  return {
    async check(olds, news) {
      if (!listsKnown(news)) return { inputs: news };
      const failures = problems(news).map((reason) => ({ property: "entries", reason }));
      if (failures.length > 0 || hasUnknown([news.bucket, news.region])) return { inputs: news, failures };
      const live = await getConfig(await client(news.region), news.bucket);
      if (!live)
        return {
          inputs: news,
          failures: [{ property: "bucket", reason: missingBucket(news.bucket).message }],
        };
      const owned = ownedIds(news, ...(olds && olds.bucket === news.bucket ? [olds] : []));
      return {
        inputs: news,
        failures: conflicts(news, live, owned).map((reason) => ({ property: "entries", reason })),
      };
    },

    async diff(_id, olds, news) {
      if (isUnknown(news.bucket)) return { changes: true };
      if (olds.bucket !== news.bucket) return { changes: true, replaces: ["bucket"] };
      const comparable = (s: SharedNotificationInputs) =>
        JSON.stringify([
          s.region,
          s.namespace,
          s.eventbridge,
          inputEntries(s)
            .map((e) => JSON.stringify(e))
            .sort(),
        ]);
      if (listsKnown(news) && !isUnknown(news.region)) {
        const live = await getConfig(await client(news.region), news.bucket);
        if (live) {
          const found = conflicts(news, live, ownedIds(news, olds), olds);
          if (found.length > 0) throw new Error(found.join("\n"));
        }
      }
      return { changes: hasUnknown(news) || comparable(olds) !== comparable(news) };
    },

    async create(inputs) {
      const state = await converge(inputs, undefined);
      return { id: inputs.bucket, outs: state };
    },

    async read(id, props) {
      if (!props)
        throw new Error(
          `SharedBucketNotification "${id}": reading needs the recorded state (import is not supported).`,
        );
      const live = await getConfig(await client(props.region), props.bucket);
      if (!live) return {};
      return { id, props: liveState(props, live, ownedIds(props), props.eventBridgeEnabledByUs ?? false) };
    },

    async update(_id, olds, news) {
      return { outs: await converge(news, olds) };
    },

    async delete(_id, props) {
      const s3 = await client(props.region);
      const owned = ownedIds(props);
      const races: string[] = [];
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        if (attempt > 1) await sleep(attempt - 1);
        const live = await getConfig(s3, props.bucket);
        if (!live) return;
        const next = mergeConfiguration(live, owned, [], false);
        if (sameConfiguration(live, next)) return;
        const again = await getConfig(s3, props.bucket);
        if (!again) return;
        if (!sameConfiguration(live, again)) {
          races.push(`attempt ${attempt}: the configuration changed between two reads`);
          continue;
        }
        if (!(await putConfig(s3, props.bucket, next))) {
          races.push(`attempt ${attempt}: S3 answered OperationAborted (another write in progress)`);
          continue;
        }
        const back = await getConfig(s3, props.bucket);
        if (!back || sameConfiguration(next, back)) return;
        races.push(`attempt ${attempt}: another writer changed the configuration right after our write`);
      }
      throw new Error(
        `Bucket "${props.bucket}": another writer kept changing the notification configuration while this stack ` +
          `was removing its routes (${races.join("; ")}). Gave up after ${maxAttempts} attempts rather than risk ` +
          `losing an entry; the resource stays in the state. Run \`pulumi destroy\` (or \`pulumi up\`) again once ` +
          `the other writer is done.`,
      );
    },
  };
}

/** One entry of {@link SharedBucketNotificationArgs}: `aws.s3.BucketNotification`'s shape, Id = route name. */
export interface SharedEntryArgs {
  /** The route's name; written as `pulumi:<organization>:<project>:<stack>:<id>`. */
  id: string;
  /** S3 event types. */
  events: string[];
  /** The prefix, URL-encoded as S3 stores it. */
  filterPrefix?: string;
  /** The suffix, URL-encoded as S3 stores it. */
  filterSuffix?: string;
}

/** The entries, as a list or a promise of one (not an Output: per-entry unknowns stay per entry). */
type EntryList<T> = T[] | Promise<T[]>;

/** Arguments of {@link SharedBucketNotification}: `aws.s3.BucketNotification`'s, plus the region. */
export interface SharedBucketNotificationArgs {
  /** The bucket's name. */
  bucket: pulumi.Input<string>;
  /** The bucket's region. */
  region: pulumi.Input<string>;
  /** Lambda entries. */
  lambdaFunctions?: EntryList<
    SharedEntryArgs & {
      /** The function's ARN. */
      lambdaFunctionArn: pulumi.Input<string>;
    }
  >;
  /** SQS entries. */
  queues?: EntryList<
    SharedEntryArgs & {
      /** The standard queue's ARN. */
      queueArn: pulumi.Input<string>;
    }
  >;
  /** SNS entries. */
  topics?: EntryList<
    SharedEntryArgs & {
      /** The standard topic's ARN. */
      topicArn: pulumi.Input<string>;
    }
  >;
  /** Turn the bucket's EventBridge delivery on (never turned off by this resource). Default false. */
  eventbridge?: pulumi.Input<boolean>;
  /** The ownership namespace. Default `stackNamespace()`: `pulumi:<organization>:<project>:<stack>` of the running program. */
  namespace?: string;
}

let defaultProvider: pulumi.dynamic.ResourceProvider | undefined;

/**
 * The ownership namespace of the running stack: `pulumi:<organization>:<project>:<stack>`. The
 * organization is `pulumi.getOrganization()`: the Pulumi Cloud organization, or `organization` on a
 * DIY backend (what the engine reports there). An engine too old to report one (the language host
 * then throws "Missing organization name") is taken as `organization` too, the DIY backend's value.
 */
export function stackNamespace(): string {
  let organization: string;
  try {
    organization = pulumi.getOrganization() || "organization";
  } catch {
    organization = "organization";
  }
  return ownershipNamespace(pulumi.getProject(), pulumi.getStack(), organization);
}

/**
 * This stack's entries in a bucket's notification configuration, next to everyone else's. Its type
 * is `pulumi-nodejs:dynamic:Resource`; its inputs have `aws.s3.BucketNotification`'s shape
 * (`bucket`, `lambdaFunctions`, `queues`, `topics`, `eventbridge`) plus `region` and `namespace`,
 * with Ids `pulumi:<organization>:<project>:<stack>:<route>`. See the module comment for ownership, the EventBridge
 * switch, preview-time conflicts and concurrent writers.
 */
export class SharedBucketNotification extends pulumi.dynamic.Resource {
  /** The bucket's name. */
  declare readonly bucket: pulumi.Output<string>;
  /** The bucket's region. */
  declare readonly region: pulumi.Output<string>;
  /** This stack's namespace, `pulumi:<organization>:<project>:<stack>`. */
  declare readonly namespace: pulumi.Output<string>;
  /** Whether this stack needs (and keeps on) EventBridge delivery. */
  declare readonly eventbridge: pulumi.Output<boolean>;
  /** This stack's Lambda entries. */
  declare readonly lambdaFunctions: pulumi.Output<LambdaEntryInput[]>;
  /** This stack's SQS entries. */
  declare readonly queues: pulumi.Output<QueueEntryInput[]>;
  /** This stack's SNS entries. */
  declare readonly topics: pulumi.Output<TopicEntryInput[]>;
  /** True when this resource turned EventBridge delivery on. */
  declare readonly eventBridgeEnabledByUs: pulumi.Output<boolean>;

  /**
   * @param name  the resource's name.
   * @param args  the bucket, its region and this stack's entries (Ids are route names).
   * @param opts  resource options: give `dependsOn` every permission and policy S3 validates on Put.
   * @param provider  the provider; default `sharedNotificationProvider()` with its defaults.
   */
  constructor(
    name: string,
    args: SharedBucketNotificationArgs,
    opts?: pulumi.CustomResourceOptions,
    provider?: pulumi.dynamic.ResourceProvider,
  ) {
    const namespace = args.namespace ?? stackNamespace();
    const named = <T extends SharedEntryArgs>(list: EntryList<T> | undefined): Promise<T[]> =>
      Promise.resolve(list ?? []).then((l) => l.map((e) => ({ ...e, id: ownershipId(namespace, e.id) })));
    super(
      provider ?? (defaultProvider ??= sharedNotificationProvider()),
      name,
      {
        bucket: args.bucket,
        region: args.region,
        namespace,
        eventbridge: args.eventbridge ?? false,
        lambdaFunctions: named(args.lambdaFunctions),
        queues: named(args.queues),
        topics: named(args.topics),
        eventBridgeEnabledByUs: undefined,
      },
      opts,
    );
  }
}
