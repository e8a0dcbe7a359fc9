/**
 * A dead-letter queue: where a message goes when every retry failed, so that nothing is silently
 * dropped. Encrypted (SSE-SQS unless a customer-managed key is given), TLS only, 14 days'
 * retention, and a queue policy that lets only the named services send, for their sources.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContext } from "./awsContext";
import { EncryptionKey } from "./encryptionKey";
import { sealedQueuePolicy, SourceGrant } from "./resourcePolicy";
import { SealedList } from "../model/sealedList";

/** Arguments of {@link DeadLetterQueue}. */
export interface DeadLetterQueueArgs {
  /** Seconds a failed message is kept, 60 to 1,209,600. Default 1,209,600 (14 days, the maximum). */
  messageRetentionSeconds?: number;
  /** Customer-managed key. Default: SSE-SQS (SQS-owned keys, no KMS permissions needed). */
  kmsKey?: EncryptionKey;
  /** Protect the queue from deletion by Pulumi. Default false. */
  protect?: boolean;
}

/** A dead-letter queue with a sealed, scoped queue policy. */
export class DeadLetterQueue extends pulumi.ComponentResource {
  /** The component's logical name. */
  readonly logicalName: string;
  /** The queue. */
  readonly queue: aws.sqs.Queue;
  /** The queue's ARN. */
  readonly arn: pulumi.Output<string>;
  /** The queue's URL. */
  readonly url: pulumi.Output<string>;
  /** The queue policy (TLS only, scoped service grants). */
  readonly policy: aws.sqs.QueuePolicy;
  private readonly grants: SealedList<SourceGrant>;
  private readonly kmsKey?: EncryptionKey;

  /**
   * @param name  the component's name.
   * @param args  retention and encryption.
   * @param opts  component options.
   */
  constructor(name: string, args: DeadLetterQueueArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("s3-event-routes:index:DeadLetterQueue", name, {}, opts);
    this.kmsKey = args.kmsKey;
    this.logicalName = name;
    this.queue = new aws.sqs.Queue(
      name,
      {
        messageRetentionSeconds: args.messageRetentionSeconds ?? 1_209_600,
        ...encryptionArgs(args.kmsKey),
      },
      { parent: this, protect: args.protect },
    );
    this.arn = this.queue.arn;
    this.url = this.queue.url;
    this.grants = new SealedList(`the queue policy of dead-letter queue "${name}"`);
    this.policy = sealedQueuePolicy(`${name}-policy`, this.queue, this.grants, awsContext(this), this);
    this.registerOutputs({ arn: this.arn, url: this.url });
  }

  /**
   * Lets a service send failed messages here for one source (e.g. `sns.amazonaws.com` for a
   * subscription of a topic, `events.amazonaws.com` for a rule).
   *
   * @internal
   */
  grantSend(service: string, sourceArn: pulumi.Input<string>, owner: string): void {
    this.grants.add({ service, sourceArn }, owner);
    this.kmsKey?.grantService(service, sourceArn, owner);
  }
}

/** Queue encryption arguments: the customer-managed key when given, SSE-SQS otherwise. */
export function encryptionArgs(kmsKey: EncryptionKey | undefined): Partial<aws.sqs.QueueArgs> {
  return kmsKey
    ? { kmsMasterKeyId: kmsKey.arn, kmsDataKeyReusePeriodSeconds: 300 }
    : { sqsManagedSseEnabled: true };
}
