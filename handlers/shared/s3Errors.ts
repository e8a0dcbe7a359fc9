/**
 * Classifying and explaining S3 errors: an object that is gone is normal (eventual consistency),
 * throttling is retried, a denied call names the IAM permission the role lacks.
 */

/** An S3 call that failed, explained; `retryable` tells the caller whether a retry can help. */
export class S3OperationError extends Error {
  /** S3's error code, e.g. `AccessDenied`. */
  readonly code: string;
  /** True for throttling and server errors: the event should fail and be redelivered. */
  readonly retryable: boolean;

  /**
   * @param message - the complete explanation.
   * @param code - S3's error code.
   * @param retryable - whether a retry can succeed.
   * @param cause - the SDK error.
   */
  constructor(message: string, code: string, retryable: boolean, cause: unknown) {
    super(message, { cause });
    this.name = "S3OperationError";
    this.code = code;
    this.retryable = retryable;
  }
}

interface SdkErrorLike {
  name?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const asSdkError = (error: unknown): SdkErrorLike =>
  typeof error === "object" && error !== null ? (error as SdkErrorLike) : {};

/** S3's error code of an SDK error (`name`, else `Code`), or `"Unknown"`. */
export function s3ErrorCode(error: unknown): string {
  const e = asSdkError(error);
  if (typeof e.name === "string" && e.name !== "Error") return e.name;
  if (typeof e.Code === "string") return e.Code;
  return "Unknown";
}

const status = (error: unknown): number | undefined => asSdkError(error).$metadata?.httpStatusCode;

const GONE = new Set(["NoSuchKey", "NotFound", "NoSuchVersion"]);
const THROTTLED = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ServiceUnavailable",
  "InternalError",
  "RequestTimeout",
]);

/**
 * True when the object (or the version) does not exist: `NoSuchKey` (GetObject), `NotFound`
 * (HeadObject, which has no body), `NoSuchVersion`.
 *
 * @param error - what the S3 client threw.
 */
export function isObjectGone(error: unknown): boolean {
  return GONE.has(s3ErrorCode(error));
}

/**
 * True when a conditional request (`IfMatch`, `CopySourceIfMatch`) failed: the object changed
 * since the event.
 *
 * @param error - what the S3 client threw.
 */
export function isPreconditionFailed(error: unknown): boolean {
  return s3ErrorCode(error) === "PreconditionFailed" || status(error) === 412;
}

/**
 * True for throttling and transient server errors (503 SlowDown, 500 InternalError, …).
 *
 * @param error - what the S3 client threw.
 */
export function isRetryable(error: unknown): boolean {
  const code = s3ErrorCode(error);
  const httpStatus = status(error);
  return THROTTLED.has(code) || (httpStatus !== undefined && httpStatus >= 500);
}

/**
 * Explains a failed S3 call in one exact sentence: what was denied and which permission grants it,
 * or that S3 throttled and the event will be retried.
 *
 * @param error - what the S3 client threw.
 * @param action - the IAM action of the call, e.g. `s3:GetObject` (HeadObject is `s3:GetObject` too).
 * @param bucket - the bucket addressed.
 * @param key - the key addressed.
 * @param grant - what to grant on AccessDenied, when it is more than `action` on the bucket's objects.
 */
export function explainS3Error(
  error: unknown,
  action: string,
  bucket: string,
  key: string,
  grant?: string,
): S3OperationError {
  const code = s3ErrorCode(error);
  const target = `s3://${bucket}/${key}`;
  const detail = typeof asSdkError(error).message === "string" ? (asSdkError(error).message as string) : "";
  if (code === "AccessDenied" || status(error) === 403) {
    const listHint =
      action === "s3:GetObject"
        ? ` Without s3:ListBucket on arn:aws:s3:::${bucket}, S3 also answers 403 for a key that does not exist.`
        : "";
    const what = grant ?? `${action} on arn:aws:s3:::${bucket}/*`;
    return new S3OperationError(
      `${action} on ${target} was denied (${code}). Grant the function's role ${what} ` +
        `(and kms:Decrypt / kms:GenerateDataKey on the bucket's key if it uses SSE-KMS).${listHint}`,
      code,
      false,
      error,
    );
  }
  if (code === "NoSuchBucket") {
    return new S3OperationError(
      `${action} on ${target}: bucket "${bucket}" does not exist (NoSuchBucket).`,
      code,
      false,
      error,
    );
  }
  if (isRetryable(error)) {
    return new S3OperationError(
      `${action} on ${target} was throttled or failed on S3's side (${code}); ` +
        `the event fails so that it is delivered again (SQS redrive or Lambda's asynchronous retries).`,
      code,
      true,
      error,
    );
  }
  return new S3OperationError(
    `${action} on ${target} failed (${code}${detail ? `: ${detail}` : ""}).`,
    code,
    false,
    error,
  );
}
