/**
 * The CrossGuard policy pack entry. It only collects the policies: constructing a `PolicyPack`
 * starts the analyzer's gRPC server, so tests and the offline checker import `./all` instead.
 *
 * Run in place: `pulumi preview --policy-pack policies`. Publish: `npm run policy:bundle`, then
 * `pulumi policy publish policies/dist-pack`.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./all";

new PolicyPack("s3-event-routes", {
  description:
    "S3 event routing: deploy failures, security, lost messages and recursion, checked before deploy.",
  provider: "aws",
  tags: ["s3", "notifications", "lambda", "sqs", "sns", "eventbridge"],
  policies,
});
