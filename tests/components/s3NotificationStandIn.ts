/**
 * An in-memory stand-in for S3's GetBucketNotificationConfiguration and
 * PutBucketNotificationConfiguration, on aws-sdk-client-mock: what the shared-notification
 * provider's tests run against.
 *
 * Faithful where the provider depends on it: Put replaces the whole configuration; Put rejects two
 * entries that share an event type with overlapping prefixes and suffixes, with S3's own error; S3
 * assigns an Id to an entry written without one; Get answers filter rule names as `Prefix`/`Suffix`
 * whatever case was written, and `NoSuchBucket` for a bucket that does not exist. The overlap rule
 * is implemented here independently of `findOverlaps`, so the provider is not tested against itself.
 * Destination validation is not simulated.
 *
 * Hooks let a test act as a concurrent writer at the exact points that matter: after a Get, just
 * before a Put lands, just after it landed.
 */
import {
  GetBucketNotificationConfigurationCommand,
  NotificationConfiguration,
  PutBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommandInput,
  S3Client,
  S3ClientResolvedConfig,
  S3ServiceException,
  ServiceInputTypes,
  ServiceOutputTypes,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";

/** What a hook is told. */
export interface HookContext {
  /** The bucket. */
  bucket: string;
  /** How many Gets (for afterGet) or Puts (for beforePut/afterPut) of the provider so far, this one included. */
  count: number;
  /** The configuration before the Put (beforePut/afterPut) or the one just returned (afterGet). */
  before: NotificationConfiguration;
  /** The stand-in, to write as another writer would. */
  s3: S3NotificationStandIn;
}

/** Hooks run inside the provider's calls. */
export interface Hooks {
  /** After a Get has read the configuration, before it is returned. */
  afterGet?: (ctx: HookContext) => void;
  /** Before a Put is applied (a write landing between the provider's last read and its Put). */
  beforePut?: (ctx: HookContext) => void;
  /** After a Put is applied (a writer that read before it and writes after it). */
  afterPut?: (ctx: HookContext) => void;
  /** Answer this S3 error to the provider's Put number `count` instead of applying it. */
  failPut?: (ctx: HookContext) => { name: string; message: string } | undefined;
}

/** S3's message when two entries overlap. */
export const AMBIGUOUS =
  "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.";

type AnyEntry = {
  Id?: string;
  Events?: string[];
  Filter?: { Key?: { FilterRules?: { Name?: string; Value?: string }[] } };
};

function s3Error(name: string, message: string, status = 400): S3ServiceException {
  return new S3ServiceException({ name, message, $fault: "client", $metadata: { httpStatusCode: status } });
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function rule(e: AnyEntry, name: string): string {
  return e.Filter?.Key?.FilterRules?.find((r) => (r.Name ?? "").toLowerCase() === name)?.Value ?? "";
}

function eventsOverlap(a: string[], b: string[]): boolean {
  const covers = (x: string, y: string) => x === y || (x.endsWith(":*") && y.startsWith(x.slice(0, -1)));
  return a.some((x) => b.some((y) => covers(x, y) || covers(y, x)));
}

/** S3's rule, written out: shared event type, overlapping prefixes and overlapping suffixes. */
function ambiguous(a: AnyEntry, b: AnyEntry): boolean {
  const [pa, pb, sa, sb] = [rule(a, "prefix"), rule(b, "prefix"), rule(a, "suffix"), rule(b, "suffix")];
  const prefixes = pa.startsWith(pb) || pb.startsWith(pa);
  const suffixes = sa.endsWith(sb) || sb.endsWith(sa);
  return prefixes && suffixes && eventsOverlap(a.Events ?? [], b.Events ?? []);
}

function entriesOf(c: NotificationConfiguration): AnyEntry[] {
  return [
    ...(c.LambdaFunctionConfigurations ?? []),
    ...(c.QueueConfigurations ?? []),
    ...(c.TopicConfigurations ?? []),
  ];
}

/** The stand-in: one notification configuration per bucket. */
export class S3NotificationStandIn {
  /** Hooks; replace them freely between steps. */
  hooks: Hooks = {};
  /** Gets the provider made. */
  gets = 0;
  /** Puts the provider made (applied or refused). */
  puts = 0;
  /** Regions the provider created clients for. */
  readonly regions: string[] = [];
  private readonly buckets = new Map<string, NotificationConfiguration>();
  private generated = 0;

  /** @param names  the buckets that exist, each with an empty configuration. */
  constructor(...names: string[]) {
    for (const n of names) this.buckets.set(n, {});
  }

  /** A client for the provider: an S3Client whose `send` is this stand-in. */
  client(region: string): S3Client {
    this.regions.push(region);
    const client = new S3Client({ region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    this.wire(mockClient(client));
    return client;
  }

  /**
   * Makes every S3Client this stand-in, for code that creates its own clients (the serialized
   * provider). Call `restore()` on the result when done.
   */
  everyClient(): { restore(): void } {
    const mock = mockClient(S3Client);
    this.wire(mock);
    return mock;
  }

  private wire(
    mock: ReturnType<typeof mockClient<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>>,
  ) {
    mock.on(GetBucketNotificationConfigurationCommand).callsFake((input: { Bucket: string }) => {
      this.gets++;
      const config = this.get(input.Bucket);
      this.hooks.afterGet?.({ bucket: input.Bucket, count: this.gets, before: clone(config), s3: this });
      return { $metadata: { httpStatusCode: 200 }, ...config };
    });
    mock
      .on(PutBucketNotificationConfigurationCommand)
      .callsFake((input: PutBucketNotificationConfigurationCommandInput) => {
        this.puts++;
        const bucket = input.Bucket ?? "";
        const ctx = { bucket, count: this.puts, before: this.get(bucket), s3: this };
        const failure = this.hooks.failPut?.(ctx);
        if (failure) throw s3Error(failure.name, failure.message, 409);
        this.hooks.beforePut?.(ctx);
        const before = this.get(bucket);
        this.put(bucket, input.NotificationConfiguration ?? {});
        this.hooks.afterPut?.({ ...ctx, before });
        return { $metadata: { httpStatusCode: 200 } };
      });
  }

  /** GetBucketNotificationConfiguration, as S3 answers it. */
  get(bucket: string): NotificationConfiguration {
    const stored = this.buckets.get(bucket);
    if (!stored) throw s3Error("NoSuchBucket", "The specified bucket does not exist", 404);
    const out = clone(stored);
    for (const e of entriesOf(out)) {
      for (const r of e.Filter?.Key?.FilterRules ?? []) {
        r.Name = (r.Name ?? "").toLowerCase() === "prefix" ? "Prefix" : "Suffix";
      }
    }
    return out;
  }

  /** PutBucketNotificationConfiguration, as S3 applies it: validated, then replacing everything. */
  put(bucket: string, config: NotificationConfiguration): void {
    if (!this.buckets.has(bucket)) throw s3Error("NoSuchBucket", "The specified bucket does not exist", 404);
    const next = clone(config);
    const all = entriesOf(next);
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        if (ambiguous(all[i], all[j])) throw s3Error("InvalidArgument", AMBIGUOUS);
      }
    }
    for (const e of all) if (!e.Id) e.Id = `Mzk${String(++this.generated).padStart(6, "0")}`;
    const stored: NotificationConfiguration = {};
    if (next.LambdaFunctionConfigurations?.length)
      stored.LambdaFunctionConfigurations = next.LambdaFunctionConfigurations;
    if (next.QueueConfigurations?.length) stored.QueueConfigurations = next.QueueConfigurations;
    if (next.TopicConfigurations?.length) stored.TopicConfigurations = next.TopicConfigurations;
    if (next.EventBridgeConfiguration) stored.EventBridgeConfiguration = {};
    this.buckets.set(bucket, stored);
  }

  /** Another writer (console, CLI) changing the configuration: read, edit, write, as S3 would. */
  edit(bucket: string, change: (config: NotificationConfiguration) => void): void {
    const config = this.get(bucket);
    change(config);
    this.put(bucket, config);
  }
}
