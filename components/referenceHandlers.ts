/**
 * The reference handlers (handlers/) as deployable targets: each a LambdaTarget built from its
 * esbuild bundle (never a serialized closure), with its environment, the tables it uses, and a
 * role that allows exactly the S3 actions on the prefixes it reads and writes and the table
 * actions it needs. Where a handler writes objects, the write is declared, so a route that would
 * trigger it on its own output is refused at construction.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EventBucket } from "./eventBucket";
import { bundleHandler, HandlerName, LambdaArchitecture, requireHandlerPackages } from "./handlerBundle";
import { LambdaTarget, LambdaTargetArgs } from "./lambdaTarget";
import { sidPart, StatementInput } from "./policyDocument";
import { LAG_TARGET_VARIABLE } from "../handlers/shared/lagMetric";
import { componentOwner } from "./argCheck";

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

/** A deployed reference handler. */
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
  parent?: pulumi.Resource,
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
    { parent, protect: settings.protect },
  );
}

/**
 * Builds a reference handler's LambdaTarget, with idempotency when asked. First checks that what
 * bundling needs is installed (esbuild, Powertools, zod, sharp: optional peer dependencies), so a
 * missing package fails before any resource is declared, naming `owner` and the install command.
 */
function deploy(
  owner: string,
  name: string,
  handler: HandlerName,
  settings: HandlerSettings,
  o: {
    environment: Record<string, pulumi.Input<string>>;
    statements: StatementInput[];
    writes?: LambdaTargetArgs["writes"];
    image?: boolean;
    indexTable?: aws.dynamodb.Table;
  },
  opts?: pulumi.ComponentResourceOptions,
): HandlerDeployment {
  const architecture = settings.architecture ?? "x86_64";
  requireHandlerPackages(owner, handler, { architecture });
  // The handler's delivery-lag metric is dimensioned by this name, one value per function.
  const environment: Record<string, pulumi.Input<string>> = { ...o.environment, [LAG_TARGET_VARIABLE]: name };
  const statements = [...o.statements];
  let idempotencyTable: aws.dynamodb.Table | undefined;
  if (settings.idempotency) {
    idempotencyTable = table(`${name}-idempotency`, "id", "expiration", settings, opts?.parent);
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
    opts,
  );
  lagTargets.set(target, name);
  return { target, idempotencyTable, indexTable: o.indexTable };
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

/** Arguments of {@link thumbnailHandler}. */
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
 */
export function thumbnailHandler(
  name: string,
  args: ThumbnailHandlerArgs,
  opts?: pulumi.ComponentResourceOptions,
): HandlerDeployment {
  const prefix = args.destination.prefix ?? "thumbnails/";
  if (
    args.sizes &&
    (args.sizes.length === 0 || args.sizes.some((s) => !Number.isInteger(s) || s < 16 || s > 4096))
  ) {
    throw new Error(
      `thumbnailHandler "${name}": sizes must be whole numbers of pixels from 16 to 4096, got ${JSON.stringify(args.sizes)}.`,
    );
  }
  return deploy(
    `thumbnailHandler "${name}"`,
    name,
    "thumbnail",
    args,
    {
      image: true,
      environment: {
        DEST_BUCKET: args.destination.bucket.bucketName,
        DEST_PREFIX: prefix,
        THUMBNAIL_SIZES: (args.sizes ?? [128, 512]).join(","),
        THUMBNAIL_FORMAT: args.format ?? "webp",
      },
      statements: writeStatements(`Write${sidPart(name)}`, args.destination, prefix, ["s3:PutObject"]),
      writes: [{ bucket: args.destination.bucket, filter: { prefix } }],
    },
    opts,
  );
}

/**
 * The metadata handler: content type, size, ETag, user metadata, image dimensions and EXIF into a
 * DynamoDB search index (partition key `pk`), kept in step with the bucket on create and delete,
 * out-of-order events included (conditional writes on the sequencer, tombstones with a TTL).
 */
export function metadataIndexHandler(
  name: string,
  args: HandlerSettings & {
    /** Days a deleted object's tombstone is kept (to order late events). Default 30. */
    tombstoneDays?: number;
  } = {},
  opts?: pulumi.ComponentResourceOptions,
): HandlerDeployment {
  const owner = componentOwner("metadataIndexHandler", name);
  requireHandlerPackages(owner, "metadata", { architecture: args.architecture ?? "x86_64" });
  const indexTable = table(`${name}-index`, "pk", "expiresAt", args, opts?.parent);
  return deploy(
    owner,
    name,
    "metadata",
    args,
    {
      image: true,
      indexTable,
      environment: { TABLE_NAME: indexTable.name, TOMBSTONE_TTL_DAYS: String(args.tombstoneDays ?? 30) },
      statements: [
        {
          Sid: "WriteIndex",
          Effect: "Allow",
          Action: ["dynamodb:PutItem", "dynamodb:GetItem"],
          Resource: indexTable.arn,
        },
      ],
    },
    opts,
  );
}

/** Arguments of {@link replicationHandler}. */
export interface ReplicationHandlerArgs extends HandlerSettings {
  /** Where objects are copied. Default prefix: none (same keys). */
  destination: ObjectDestination;
  /** Apply deletes too. Default true. */
  replicateDeletes?: boolean;
}

/** The replication handler: copies created objects (metadata preserved) and applies deletes. */
export function replicationHandler(
  name: string,
  args: ReplicationHandlerArgs,
  opts?: pulumi.ComponentResourceOptions,
): HandlerDeployment {
  const prefix = args.destination.prefix ?? "";
  const actions = [
    "s3:PutObject",
    "s3:PutObjectTagging",
    ...(args.replicateDeletes === false ? [] : ["s3:DeleteObject"]),
  ];
  return deploy(
    `replicationHandler "${name}"`,
    name,
    "replicate",
    args,
    {
      environment: {
        DEST_BUCKET: args.destination.bucket.bucketName,
        DEST_PREFIX: prefix,
        REPLICATE_DELETES: String(args.replicateDeletes ?? true),
      },
      statements: writeStatements(`Replicate${sidPart(name)}`, args.destination, prefix, actions),
      writes: [{ bucket: args.destination.bucket, filter: { prefix } }],
    },
    opts,
  );
}

/**
 * The queue consumer: an SQS batch handler that reports partial batch failures, so one poison
 * message goes to the DLQ and the rest succeed. Give its `target` as a QueueTarget's consumer.
 */
export function queueConsumerHandler(
  name: string,
  args: HandlerSettings = {},
  opts?: pulumi.ComponentResourceOptions,
): HandlerDeployment {
  return deploy(
    `queueConsumerHandler "${name}"`,
    name,
    "queue-consumer",
    args,
    { environment: {}, statements: [] },
    opts,
  );
}
