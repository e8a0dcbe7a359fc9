import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import {
  callWebhook,
  deliverOnce,
  duplicateDeliveries,
  startWebhookReceiver,
  WebhookResponse,
} from "../../cli/local/webhook";

/** Blocks the event loop (the loop's receiver shares it with every delivery), as a busy loop does. */
const busy = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // the receiver is busy
  }
};

describe("local loop: webhook delivery under load (loopback, bounded)", () => {
  it("delivers 1,000 concurrent events exactly once while the receiver is busy (no timeout on the loop's own receiver)", async function () {
    this.timeout(120_000);
    const receiver = await startWebhookReceiver(0, () => busy(1));
    try {
      const timeouts: number[] = [];
      const outcomes = await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          deliverOnce(
            (headers) =>
              callWebhook(`${receiver.url}/hook`, "POST", headers, JSON.stringify({ id: `e-${i}` }), 0),
            randomUUID(),
            (id) => receiver.hasDelivery(id),
            30,
            () => new Promise((resolve) => setTimeout(resolve, 20)),
            (response: WebhookResponse) => {
              if (response.status === 0) timeouts.push(1);
            },
          ),
        ),
      );
      assert.equal(timeouts.length, 0);
      assert.equal(outcomes.filter((o) => o.delivered).length, 1000);
      const ids = receiver.received.map((r) => (r.body as { id: string }).id);
      assert.equal(new Set(ids).size, 1000);
      assert.equal(receiver.received.length, 1000);
      assert.equal(duplicateDeliveries(receiver.received), 0);
    } finally {
      await receiver.close();
    }
  });

  it("counts the duplicates a receiver got (what AWS's at-least-once retries would send)", async () => {
    const receiver = await startWebhookReceiver(0, () => undefined);
    try {
      for (const id of ["a", "b", "a", "a"]) {
        await callWebhook(`${receiver.url}/hook`, "POST", { "x-local-delivery-id": id }, "{}");
      }
      await callWebhook(`${receiver.url}/hook`, "POST", {}, "{}");
      assert.equal(receiver.received.length, 5);
      assert.equal(duplicateDeliveries(receiver.received), 2);
      assert.equal(receiver.hasDelivery("b"), true);
      assert.equal(receiver.hasDelivery("c"), false);
    } finally {
      await receiver.close();
    }
  });
});
