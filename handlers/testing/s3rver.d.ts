/** The part of s3rver's API the tests and the local event loop use (s3rver ships no type declarations). */
declare module "s3rver" {
  import type { Server } from "node:http";

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  /**
   * What s3rver emits as `event` after PutObject, POST, CopyObject, CompleteMultipartUpload
   * (as `Post`) and DeleteObject: an S3 notification, with the key NOT URL-encoded, eventVersion
   * "2.0", a millisecond-clock sequencer, no eTag on copies.
   */
  interface S3rverEvent {
    Records: {
      eventVersion: string;
      eventSource: string;
      awsRegion: string;
      eventTime: string;
      eventName: string;
      userIdentity: { principalId: string };
      requestParameters: { sourceIPAddress: string };
      responseElements: Record<string, string>;
      s3: {
        s3SchemaVersion: string;
        configurationId: string;
        bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
        object: { key: string; size?: number; eTag?: string; sequencer: string };
      };
    }[];
  }

  class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    /** The HTTP server, once `run` resolved. */
    httpServer?: Server;
    on(name: "event", listener: (event: S3rverEvent) => void): this;
    off(name: "event", listener: (event: S3rverEvent) => void): this;
  }
  namespace S3rver {
    export { S3rverEvent, S3rverOptions };
  }
  export = S3rver;
}
