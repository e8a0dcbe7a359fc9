/**
 * Reading an S3 object body with a hard byte limit, so that memory stays bounded whatever the
 * object's size claims.
 */

/** Raised when a body exceeds the limit; the request is aborted before the rest is read. */
export class ObjectTooLargeError extends Error {
  /**
   * @param limit - the limit in bytes.
   * @param where - the object, e.g. `s3://bucket/key`.
   */
  constructor(
    readonly limit: number,
    where: string,
  ) {
    super(`${where} is larger than the ${limit}-byte limit; it was not read past the limit.`);
    this.name = "ObjectTooLargeError";
  }
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<Uint8Array> =>
  typeof value === "object" && value !== null && Symbol.asyncIterator in value;

/**
 * Reads a GetObject body (a Node.js stream) into one Buffer, stopping as soon as it passes `limit`.
 *
 * @param body - `GetObjectCommandOutput["Body"]`.
 * @param limit - the most bytes accepted.
 * @param where - the object, for the error message.
 * @throws ObjectTooLargeError past the limit; Error when the body is not a stream.
 */
export async function readObjectBody(body: unknown, limit: number, where: string): Promise<Buffer> {
  if (!isAsyncIterable(body)) {
    throw new Error(
      `${where}: GetObject returned no readable body (got ${body === undefined ? "undefined" : typeof body}).`,
    );
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limit) {
      throw new ObjectTooLargeError(limit, where);
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, total);
}

/**
 * Releases a GetObject body that will not be read (closes the connection instead of downloading).
 *
 * @param body - `GetObjectCommandOutput["Body"]`, possibly undefined.
 */
export function discardObjectBody(body: unknown): void {
  const destroy =
    typeof body === "object" && body !== null ? (body as { destroy?: unknown }).destroy : undefined;
  if (typeof destroy === "function") destroy.call(body);
}
