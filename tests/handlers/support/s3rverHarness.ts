/**
 * A real S3-compatible server for integration tests: s3rver on 127.0.0.1, a random free port, a
 * temporary directory, stopped and removed after. The client is the real @aws-sdk/client-s3.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";

/** A running server and a client configured for it. */
export interface S3Harness {
  /** A client with forcePathStyle, the server's endpoint and s3rver's dummy credentials. */
  client: S3Client;
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts s3rver with the given buckets.
 *
 * @param buckets - bucket names to create.
 */
export async function startS3rver(buckets: string[]): Promise<S3Harness> {
  const directory = mkdtempSync(join(tmpdir(), "s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
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
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  return {
    client,
    endpoint,
    async stop() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
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
