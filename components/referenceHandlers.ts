/**
 * The reference handlers (handlers/) as deployable targets: each a component holding a LambdaTarget
 * built from its esbuild bundle (never a serialized closure), with its environment, the tables it
 * uses, and a role that allows exactly the S3 actions on the prefixes it reads and writes and the
 * table actions it needs. Where a handler writes objects, the write is declared, so a route that
 * would trigger it on its own output is refused at construction.
 *
 * Each handler is one component (`ThumbnailHandler`, ...), so `protect`, `provider` and aliases
 * given to it reach its function, role, dead-letter queue and tables alike, and the plan groups
 * them under it. Stacks deployed with the earlier function helpers (`thumbnailHandler()`, ...), which
 * put the function and tables under the caller's parent, move under the component without
 * replacement: each child carries an alias to that old parent.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EventBucket } from "./eventBucket";
import { bundleHandler, HandlerName, LambdaArchitecture, requireHandlerPackages } from "./handlerBundle";
import { LambdaTarget, LambdaTargetArgs } from "./lambdaTarget";
import { sidPart, StatementInput } from "./policyDocument";
import { LAG_TARGET_VARIABLE } from "../handlers/shared/lagMetric";
import { componentOwner, ownerError } from "./argCheck";

/** Settings every reference handler takes. */
export interface HandlerSettings {
  /** Instruction set; the bundle's native packages (sharp) are chosen to match. Default `x86_64`. */
  architecture?: LambdaArchitecture;
  /** Memory in MB, 128 to 10,240. Default 1,024 for image handlers, 256 otherwise. */
  memorySize?: number;
  /** Timeout in seconds, 1 to 900. Default 60 for image handlers, 30 otherwise. */
  timeoutSeconds?: number;
  /** Days the logs are kept: a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, ...). Default 14. */
  logRetentionDays?: number;
  /** Process each object once even when S3 delivers it twice (a DynamoDB idempotency table is created). Default false. */
  idempotency?: boolean;
  /** Concurrent executions reserved for (and limiting) the function. Default none. */
  reservedConcurrency?: number;
  /** Protect the handler's stateful children (log group, tables). Default false. */
  protect?: boolean;
}

/** Where a handler writes objects. */
export interface ObjectDestination {
  /** The bucket written to. */
  bucket: EventBucket;
  /** The key prefix written under. Default depends on the handler. */
  prefix?: string;
}

/** A deployed reference handler: what each handler component holds. */
export interface HandlerDeployment {
  /** The function, to use as a route's target (or a queue's consumer). */
  target: LambdaTarget;
  /** The idempotency table, when `idempotency` is on. */
  idempotencyTable?: aws.dynamodb.Table;
  /** The search index table (metadata handler). */
  indexTable?: aws.dynamodb.Table;
}

/** The `Target` dimension of the delivery-lag metric each reference handler's function publishes. */
const lagTargets = new WeakMap<LambdaTarget, string>();

/**
 * The `Target` dimension value of the delivery-lag metric (handlers/shared/lagMetric) a function
 * publishes: the reference handler's name; `undefined` for a function that is not a reference
 * handler (it publishes no such metric).
 *
 * @param target - a function target.
 */
export function deliveryLagTarget(target: LambdaTarget): string | undefined {
  return lagTargets.get(target);
}

/** A table with encryption, point-in-time recovery and expiry, billed per request. */
function table(
  name: string,
  hashKey: string,
  ttlAttribute: string,
  settings: HandlerSettings,
  opts: pulumi.CustomResourceOptions,
) {
  return new aws.dynamodb.Table(
    name,
    {
      billingMode: "PAY_PER_REQUEST",
      hashKey,
      attributes: [{ name: hashKey, type: "S" }],
      ttl: { attributeName: ttlAttribute, enabled: true },
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
    },
    { ...opts, protect: settings.protect },
  );
}

/**
 * The options of a handler component's direct children: parented to it, with an alias to the
 * parent the function helpers gave them (the caller's `parent`, else the stack), so that a stack
 * deployed before the handlers were components moves them without replacing anything. Their own
 * children (the function, role and dead-letter queue under the LambdaTarget) follow through the
 * engine, which applies a parent's aliases to its children.
 */
function handlerChildOptions(
  component: pulumi.ComponentResource,
  opts: pulumi.ComponentResourceOptions | undefined,
): { parent: pulumi.Resource; aliases: pulumi.Alias[] } {
  return { parent: component, aliases: [{ parent: opts?.parent ?? pulumi.rootStackResource }] };
}

/** What a handler's function needs beyond its settings. */
interface FunctionSpec {
  environment: Record<string, pulumi.Input<string>>;
  statements: StatementInput[];
  writes?: LambdaTargetArgs["writes"];
  image?: boolean;
}

/**
 * Builds a reference handler's LambdaTarget under `component`, with idempotency when asked. The
 * caller has already checked that what bundling needs is installed ({@link requireHandlerPackages}).
 */
function deploy(
  component: pulumi.ComponentResource,
  opts: pulumi.ComponentResourceOptions | undefined,
  name: string,
  handler: HandlerName,
  settings: HandlerSettings,
  o: FunctionSpec,
): { target: LambdaTarget; idempotencyTable?: aws.dynamodb.Table } {
  const architecture = settings.architecture ?? "x86_64";
  const children = handlerChildOptions(component, opts);
  // The handler's delivery-lag metric is dimensioned by this name, one value per function.
  const environment: Record<string, pulumi.Input<string>> = { ...o.environment, [LAG_TARGET_VARIABLE]: name };
  const statements = [...o.statements];
  let idempotencyTable: aws.dynamodb.Table | undefined;
  if (settings.idempotency) {
    idempotencyTable = table(`${name}-idempotency`, "id", "expiration", settings, children);
    environment.IDEMPOTENCY_TABLE = idempotencyTable.name;
    statements.push({
      Sid: "Idempotency",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
      Resource: idempotencyTable.arn,
    });
  }
  const bundle = bundleHandler(handler, { architecture });
  const target = new LambdaTarget(
    name,
    {
      code: bundle,
      architecture,
      memorySize: settings.memorySize ?? (o.image ? 1024 : 256),
      timeoutSeconds: settings.timeoutSeconds ?? (o.image ? 60 : 30),
      logRetentionDays: settings.logRetentionDays,
      reservedConcurrency: settings.reservedConcurrency,
      protect: settings.protect,
      environment,
      policyStatements: statements,
      writes: o.writes,
    },
    // `dependsOn` is not inherited from a parent: the function keeps the one given to the handler.
    { ...children, dependsOn: opts?.dependsOn },
  );
  lagTargets.set(target, name);
  return { target, idempotencyTable };
}

/** Statements to write (and, for SSE-KMS buckets, encrypt) under a prefix of a bucket. */
function writeStatements(
  sid: string,
  dest: ObjectDestination,
  prefix: string,
  actions: string[],
): StatementInput[] {
  const out: StatementInput[] = [
    {
      Sid: sid,
      Effect: "Allow",
      Action: actions,
      Resource: pulumi.interpolate`${dest.bucket.arn}/${prefix}*`,
    },
  ];
  if (dest.bucket.kmsKeyArn) {
    out.push({
      Sid: `${sid}Encrypt`,
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: dest.bucket.kmsKeyArn,
    });
  }
  return out;
}

/** Arguments of {@link ThumbnailHandler}. */
export interface ThumbnailHandlerArgs extends HandlerSettings {
  /** Where thumbnails are written. Default prefix `thumbnails/`. */
  destination: ObjectDestination;
  /** Bounding-box sizes in pixels, each 16 to 4,096 (the handler's limits). Default `[128, 512]`. */
  sizes?: number[];
  /** Output format. Default `webp`. */
  format?: "webp" | "jpeg" | "png";
}

/**
 * The thumbnail handler (sharp): writes `<prefix><size>/<key>.<ext>` for each size. A route on the
 * destination bucket whose filter covers the destination prefix is refused (it would loop).
 * Children: the LambdaTarget `<name>` and, with `idempotency`, the table `<name>-idempotency`.
 */
export class ThumbnailHandler extends pulumi.ComponentResource implements HandlerDeployment {
  /** The function, to use as a route's target. */
  readonly target: LambdaTarget;
  /** The idempotency table, when `idempotency` is on. */
  readonly idempotencyTable?: aws.dynamodb.Table;

  /**
   * @param name  the component's name, and its function's.
   * @param args  where thumbnails go, their sizes and format, and the handler settings.
   * @param opts  component options (`parent`, `provider`, `protect`, ...).
   */
  constructor(name: string, args: ThumbnailHandlerArgs, opts?: pulumi.ComponentResourceOptions) {
    const owner = componentOwner("thumbnailHandler", name);
    const prefix = args.destination.prefix ?? "thumbnails/";
    if (
      args.sizes &&
      (args.sizes.length === 0 || args.sizes.some((s) => !Number.isInteger(s) || s < 16 || s > 4096))
    ) {
      throw ownerError(
        owner,
        `sizes must be whole numbers of pixels from 16 to 4096, got ${JSON.stringify(args.sizes)}.`,
        "sizes",
      );
    }
    requireHandlerPackages(owner, "thumbnail", { architecture: args.architecture ?? "x86_64" });
    super("s3-event-routes:handlers:ThumbnailHandler", name, {}, opts);
    const { target, idempotencyTable } = deploy(this, opts, name, "thumbnail", args, {
      image: true,
      environment: {
        DEST_BUCKET: args.destination.bucket.bucketName,
        DEST_PREFIX: prefix,
        THUMBNAIL_SIZES: (args.sizes ?? [128, 512]).join(","),
        THUMBNAIL_FORMAT: args.format ?? "webp",
      },
      statements: writeStatements(`Write${sidPart(name)}`, args.destination, prefix, ["s3:PutObject"]),
      writes: [{ bucket: args.destination.bucket, filter: { prefix } }],
    });
    this.target = target;
    this.idempotencyTable = idempotencyTable;
    this.registerOutputs({ functionArn: target.arn });
  }
}

/** Arguments of {@link MetadataIndexHandler}. */
export interface MetadataIndexHandlerArgs extends HandlerSettings {
  /** Days a deleted object's tombstone is kept (to order late events). Default 30. */
  tombstoneDays?: number;
}

/**
 * The metadata handler: content type, size, ETag, user metadata, image dimensions and EXIF into a
 * DynamoDB search index (partition key `pk`), kept in step with the bucket on create and delete,
 * out-of-order events included (conditional writes on the sequencer, tombstones with a TTL).
 * Children: the table `<name>-index`, the LambdaTarget `<name>` and, with `idempotency`, the table
 * `<name>-idempotency`.
 */
export class MetadataIndexHandler extends pulumi.ComponentResource implements HandlerDeployment {
  /** The function, to use as a route's target. */
  readonly target: LambdaTarget;
  /** The idempotency table, when `idempotency` is on. */
  readonly idempotencyTable?: aws.dynamodb.Table;
  /** The search index table. */
  readonly indexTable: aws.dynamodb.Table;

  /**
   * @param name  the component's name, and its function's.
   * @param args  the tombstone retention and the handler settings.
   * @param opts  component options (`parent`, `provider`, `protect`, ...).
   */
  constructor(name: string, args: MetadataIndexHandlerArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const owner = componentOwner("metadataIndexHandler", name);
    requireHandlerPackages(owner, "metadata", { architecture: args.architecture ?? "x86_64" });
    super("s3-event-routes:handlers:MetadataIndexHandler", name, {}, opts);
    this.indexTable = table(`${name}-index`, "pk", "expiresAt", args, handlerChildOptions(this, opts));
    const { target, idempotencyTable } = deploy(this, opts, name, "metadata", args, {
      image: true,
      environment: {
        TABLE_NAME: this.indexTable.name,
        TOMBSTONE_TTL_DAYS: String(args.tombstoneDays ?? 30),
      },
      statements: [
        {
          Sid: "WriteIndex",
          Effect: "Allow",
          Action: ["dynamodb:PutItem", "dynamodb:GetItem"],
          Resource: this.indexTable.arn,
        },
      ],
    });
    this.target = target;
    this.idempotencyTable = idempotencyTable;
    this.registerOutputs({ functionArn: target.arn, indexTableName: this.indexTable.name });
  }
}

/** Arguments of {@link ReplicationHandler}. */
export interface ReplicationHandlerArgs extends HandlerSettings {
  /** Where objects are copied. Default prefix: none (same keys). */
  destination: ObjectDestination;
  /** Apply deletes too. Default true. */
  replicateDeletes?: boolean;
}

/**
 * The replication handler: copies created objects (metadata preserved) and applies deletes.
 * Children: the LambdaTarget `<name>` and, with `idempotency`, the table `<name>-idempotency`.
 */
export class ReplicationHandler extends pulumi.ComponentResource implements HandlerDeployment {
  /** The function, to use as a route's target. */
  readonly target: LambdaTarget;
  /** The idempotency table, when `idempotency` is on. */
  readonly idempotencyTable?: aws.dynamodb.Table;

  /**
   * @param name  the component's name, and its function's.
   * @param args  where objects are copied, whether deletes are applied, and the handler settings.
   * @param opts  component options (`parent`, `provider`, `protect`, ...).
   */
  constructor(name: string, args: ReplicationHandlerArgs, opts?: pulumi.ComponentResourceOptions) {
    requireHandlerPackages(componentOwner("replicationHandler", name), "replicate", {
      architecture: args.architecture ?? "x86_64",
    });
    super("s3-event-routes:handlers:ReplicationHandler", name, {}, opts);
    const prefix = args.destination.prefix ?? "";
    const actions = [
      "s3:PutObject",
      "s3:PutObjectTagging",
      ...(args.replicateDeletes === false ? [] : ["s3:DeleteObject"]),
    ];
    const { target, idempotencyTable } = deploy(this, opts, name, "replicate", args, {
      environment: {
        DEST_BUCKET: args.destination.bucket.bucketName,
        DEST_PREFIX: prefix,
        REPLICATE_DELETES: String(args.replicateDeletes ?? true),
      },
      statements: writeStatements(`Replicate${sidPart(name)}`, args.destination, prefix, actions),
      writes: [{ bucket: args.destination.bucket, filter: { prefix } }],
    });
    this.target = target;
    this.idempotencyTable = idempotencyTable;
    this.registerOutputs({ functionArn: target.arn });
  }
}

/**
 * The queue consumer: an SQS batch handler that reports partial batch failures, so one poison
 * message goes to the DLQ and the rest succeed. Give its `target` as a QueueTarget's consumer.
 * Children: the LambdaTarget `<name>` and, with `idempotency`, the table `<name>-idempotency`.
 */
export class QueueConsumerHandler extends pulumi.ComponentResource implements HandlerDeployment {
  /** The function, to use as a QueueTarget's consumer. */
  readonly target: LambdaTarget;
  /** The idempotency table, when `idempotency` is on. */
  readonly idempotencyTable?: aws.dynamodb.Table;

  /**
   * @param name  the component's name, and its function's.
   * @param args  the handler settings.
   * @param opts  component options (`parent`, `provider`, `protect`, ...).
   */
  constructor(name: string, args: HandlerSettings = {}, opts?: pulumi.ComponentResourceOptions) {
    requireHandlerPackages(componentOwner("queueConsumerHandler", name), "queue-consumer", {
      architecture: args.architecture ?? "x86_64",
    });
    super("s3-event-routes:handlers:QueueConsumerHandler", name, {}, opts);
    const { target, idempotencyTable } = deploy(this, opts, name, "queue-consumer", args, {
      environment: {},
      statements: [],
    });
    this.target = target;
    this.idempotencyTable = idempotencyTable;
    this.registerOutputs({ functionArn: target.arn });
  }
}

// ---------------------------------------------------------------------------------------------
// The function helpers of earlier releases: the same components.

/**
 * The thumbnail handler, as {@link ThumbnailHandler}.
 *
 * @deprecated Use `new ThumbnailHandler(name, args, opts)`: this returns that component.
 */
export function thumbnailHandler(
  name: string,
  args: ThumbnailHandlerArgs,
  opts?: pulumi.ComponentResourceOptions,
): HandlerDeployment {
  return new ThumbnailHandler(name, args, opts);
}

/**
 * The metadata handler, as {@link MetadataIndexHandler}.
 *
 * @deprecated Use `new MetadataIndexHandler(name, args, opts)`: this returns that component.
 */
export function metadataIndexHandler(
  name: string,
  args: MetadataIndexHandlerArgs = {},
  opts?: pulumi.ComponentResourceOptions,
): HandlerDeployment {
  return new MetadataIndexHandler(name, args, opts);
}

/**
 * The replication handler, as {@link ReplicationHandler}.
 *
 * @deprecated Use `new ReplicationHandler(name, args, opts)`: this returns that component.
 */
export function replicationHandler(
  name: string,
  args: ReplicationHandlerArgs,
  opts?: pulumi.ComponentResourceOptions,
): HandlerDeployment {
  return new ReplicationHandler(name, args, opts);
}

/**
 * The queue consumer, as {@link QueueConsumerHandler}.
 *
 * @deprecated Use `new QueueConsumerHandler(name, args, opts)`: this returns that component.
 */
export function queueConsumerHandler(
  name: string,
  args: HandlerSettings = {},
  opts?: pulumi.ComponentResourceOptions,
): HandlerDeployment {
  return new QueueConsumerHandler(name, args, opts);
}
