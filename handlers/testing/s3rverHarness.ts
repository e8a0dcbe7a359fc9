/**
 * A real S3-compatible server for integration tests and the local event loop (`npm run local`):
 * s3rver on 127.0.0.1, a random free port unless one is given, a temporary directory unless one is
 * given, stopped (and a temporary directory removed) after. The client is the real
 * @aws-sdk/client-s3. No handler imports this module, so it is never bundled.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";

/** s3rver's fixed credentials: the only ones it accepts. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/** A running server and a client configured for it. */
export interface S3Harness {
  /** A client with forcePathStyle, the server's endpoint and s3rver's dummy credentials. */
  client: S3Client;
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** The port listened on. */
  port: number;
  /** The directory holding the buckets. */
  directory: string;
  /** The server, to listen to its `event`s. */
  server: S3rver;
  /** Stops the server and removes its directory (unless it was given). */
  stop(): Promise<void>;
}

/** Where and how to run the server. */
export interface S3HarnessOptions {
  /** The port on 127.0.0.1. Default 0: a free one. */
  port?: number;
  /** The directory holding the buckets, kept after `stop`. Default: a temporary one, removed by `stop`. */
  directory?: string;
}

/**
 * Starts s3rver with the given buckets.
 *
 * @param buckets - bucket names to create (existing ones in `directory` are kept).
 * @param options - port and directory.
 */
export async function startS3rver(buckets: string[], options: S3HarnessOptions = {}): Promise<S3Harness> {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), "s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: S3RVER_CREDENTIALS,
  });
  return {
    client,
    endpoint,
    port,
    directory,
    server,
    async stop() {
      client.destroy();
      await server.close();
      if (options.directory === undefined) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Counts the commands a client sends, by command name (e.g. `PutObjectCommand`).
 *
 * @param client - the client to watch.
 */
export function countCommands(client: S3Client): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? "unknown";
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "testCommandCounter" },
  );
  return counts;
}
