/**
 * Webhooks, locally: a receiver standing in for the partner (an HTTP server on 127.0.0.1 that
 * records and acknowledges what it is sent), and the API destination's call to it (the endpoint's
 * path and query kept, its host replaced by the receiver's; the connection's auth header; a 5 s
 * timeout, as EventBridge's).
 */
import { createServer, IncomingHttpHeaders, request } from "node:http";

/** One request the receiver got. */
export interface ReceivedWebhook {
  /** The method. */
  method: string;
  /** Path and query. */
  path: string;
  /** The headers, lower-case names. */
  headers: IncomingHttpHeaders;
  /** The body, parsed when it is JSON, else the text. */
  body: unknown;
}

/** A running receiver. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Every request, in order of arrival. */
  received: ReceivedWebhook[];
  /**
   * Whether a request carrying this {@link DELIVERY_ID_HEADER} has arrived (fully read), whatever
   * became of its response.
   */
  hasDelivery(id: string): boolean;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/**
 * Starts the receiver.
 *
 * @param port - the port on 127.0.0.1; 0 for a free one.
 * @param onReceive - called for each request, after it was answered 200.
 */
export async function startWebhookReceiver(
  port: number,
  onReceive: (received: ReceivedWebhook) => void,
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const deliveries = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      const entry: ReceivedWebhook = {
        method: req.method ?? "?",
        path: req.url ?? "/",
        headers: req.headers,
        body,
      };
      received.push(entry);
      const id = req.headers[DELIVERY_ID_HEADER];
      if (typeof id === "string") deliveries.add(id);
      res.writeHead(200, { "content-type": "application/json", connection: "close" });
      res.end('{"received":true}');
      onReceive(entry);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actual}`,
    received,
    hasDelivery: (id) => deliveries.has(id),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What a call returned. */
export interface WebhookResponse {
  /** The HTTP status, or 0 when the call failed before one (timeout, refused). */
  status: number;
  /** The error, when there was no status. */
  error?: string;
}

/** Statuses EventBridge retries an API destination call on. */
export const RETRYABLE_STATUSES = [401, 407, 409, 429];

/** True when EventBridge would retry a call that ended so. */
export const isRetryable = (r: WebhookResponse): boolean =>
  r.status === 0 || r.status >= 500 || RETRYABLE_STATUSES.includes(r.status);

/**
 * Where a call to `endpoint` goes locally: the receiver, with the endpoint's path and query.
 *
 * @param endpoint - the API destination's endpoint.
 * @param receiverUrl - the receiver's base URL.
 */
export function localEndpoint(endpoint: string, receiverUrl: string): string {
  const original = new URL(endpoint);
  return `${receiverUrl}${original.pathname}${original.search}`;
}

/**
 * Calls a webhook as an API destination does: JSON body, the connection's headers, 5 s timeout.
 *
 * @param url - the URL to call.
 * @param method - the HTTP method.
 * @param headers - headers to add.
 * @param body - the body (already JSON).
 */
/**
 * The header the local loop marks each event's webhook delivery with (the same value on every
 * attempt), so that a retry after a lost response can ask the receiver whether the request arrived.
 */
export const DELIVERY_ID_HEADER = "x-local-delivery-id";

/**
 * Delivers one event to a webhook, retrying as API destinations do (a failed connection, 401, 407,
 * 409, 429, 5xx), but never a request the receiver already got: before each retry the receiver is
 * asked (`hasDelivery`) whether the delivery id arrived.
 *
 * @param call - one attempt (normally {@link callWebhook}).
 * @param deliveryId - the event's delivery id, sent as {@link DELIVERY_ID_HEADER}.
 * @param hasDelivery - asks the receiver whether the request arrived.
 * @param attempts - how many attempts at most.
 * @param pause - waits between attempts.
 * @param onAttempt - told of each attempt's response.
 * @returns the last response, and whether the request was delivered.
 */
export async function deliverOnce(
  call: (headers: Record<string, string>) => Promise<WebhookResponse>,
  deliveryId: string,
  hasDelivery: ((id: string) => boolean) | undefined,
  attempts: number,
  pause: () => Promise<void>,
  onAttempt: (response: WebhookResponse, attempt: number) => void,
): Promise<{ delivered: boolean; response: WebhookResponse }> {
  let response: WebhookResponse = { status: 0 };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    response = await call({ [DELIVERY_ID_HEADER]: deliveryId });
    onAttempt(response, attempt);
    if (response.status >= 200 && response.status < 300) return { delivered: true, response };
    if (response.status === 0 && hasDelivery?.(deliveryId)) return { delivered: true, response };
    if (!isRetryable(response) || attempt === attempts) break;
    await pause();
    if (hasDelivery?.(deliveryId)) return { delivered: true, response };
  }
  return { delivered: false, response };
}

/**
 * How many requests repeated a delivery id already received: the duplicates a receiver got.
 *
 * @param received - what the receiver got.
 */
export function duplicateDeliveries(received: readonly ReceivedWebhook[]): number {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const r of received) {
    const id = r.headers[DELIVERY_ID_HEADER];
    if (typeof id !== "string") continue;
    if (seen.has(id)) duplicates += 1;
    seen.add(id);
  }
  return duplicates;
}

export function callWebhook(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs = 5000,
): Promise<WebhookResponse> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method,
        agent: false,
        ...(timeoutMs > 0 ? { timeout: timeoutMs } : {}),
        headers: {
          ...headers,
          "content-type": "application/json; charset=utf-8",
          "content-length": Buffer.byteLength(body),
          "user-agent": "Amazon/EventBridge/ApiDestinations",
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    if (timeoutMs > 0)
      req.on("timeout", () => req.destroy(new Error(`no response within ${timeoutMs / 1000} s`)));
    req.on("error", (e) => resolve({ status: 0, error: e.message }));
    req.end(body);
  });
}
