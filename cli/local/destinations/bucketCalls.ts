/**
 * Bucket calls, locally: CreateBucket and DeleteBucket requests to s3rver (path-style) reported as
 * CloudTrail records them — "AWS API Call via CloudTrail" — to the EventBridge rules that watch them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BucketCall, cloudTrailBucketEvent } from "../envelopes";
import type { PendingWork } from "../work";
import type { Destinations, LoopContext } from "./delivery";

/** Watches s3rver's requests for bucket calls. */
export class BucketCalls {
  constructor(
    private readonly ctx: LoopContext,
    private readonly to: Destinations,
    private readonly work: PendingWork,
  ) {}

  /** s3rver's `request` listener: a bucket call that succeeded is reported once its response is sent. */
  readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const match = /^\/([^/?]+)\/?$/.exec(req.url ?? "");
    if (!match || (req.method !== "PUT" && req.method !== "DELETE")) return;
    const call: BucketCall = req.method === "PUT" ? "CreateBucket" : "DeleteBucket";
    const bucket = decodeURIComponent(match[1]);
    const done = this.work.begin();
    res.on("close", () => {
      const ok = res.writableFinished && res.statusCode === (call === "CreateBucket" ? 200 : 204);
      if (!ok) return done();
      void this.work
        .track(() => this.report(call, bucket, req.socket.remoteAddress ?? "127.0.0.1"))
        .catch((e: unknown) => this.ctx.fail("", `${call} ${bucket}: ${(e as Error).message}`))
        .finally(done);
    });
  };

  private async report(call: BucketCall, bucket: string, sourceIp: string): Promise<void> {
    const { record, topology } = this.ctx;
    record.bucketCalls.push({ call, bucket });
    const tag = `@${record.bucketCalls.length}`;
    const ip = sourceIp.replace(/^::ffff:/, "");
    const event = cloudTrailBucketEvent(call, bucket, topology.accountId, topology.region, ip);
    const rules = this.to.eventBridge.matching(event);
    this.ctx.say(tag, `${call} "${bucket}" (CloudTrail → EventBridge "AWS API Call via CloudTrail")`);
    if (rules.length === 0) this.ctx.say(tag, "  matches no rule");
    await Promise.all(rules.map((rule) => this.to.eventBridge.deliver(tag, rule, event)));
  }
}
