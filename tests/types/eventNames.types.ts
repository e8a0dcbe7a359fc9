/**
 * Type-level test, checked by `npm run typecheck` (tsc over tests/): event names are typed from the
 * catalogue, so a misspelt one is a compile error. Each `@ts-expect-error` fails the type check if
 * the line below it compiles. Never run (no mocha spec matches it); nothing here is deployed.
 */
import { EventBucket, EventSelector, QueueTarget, RouteInput } from "../../components";

declare const queue: QueueTarget;
declare const bucket: EventBucket;

// Friendly names, exact types and wildcards compile.
export const accepted: EventSelector[] = [
  "created",
  "removed",
  "lifecycle-transition",
  "s3:ObjectCreated:Put",
  "s3:ObjectCreated:*",
  "s3:ObjectRestore:Completed",
  "s3:IntelligentTiering",
];

// @ts-expect-error -- "Putt": not an S3 event type
export const typo: EventSelector = "s3:ObjectCreated:Putt";

// @ts-expect-error -- the s3: prefix is part of the name
export const noPrefix: EventSelector = "ObjectCreated:Put";

// @ts-expect-error -- friendly names are lower case
export const upperCase: EventSelector = "Created";

// @ts-expect-error -- s3:ObjectAcl has no wildcard family
export const noFamily: EventSelector = "s3:ObjectAcl:*";

export const route: RouteInput = {
  // @ts-expect-error -- in a route, too
  events: ["created", "s3:ObjectRemoved:Delet"],
};

export function addRoutes(): void {
  bucket.addRoute({ name: "ok", events: ["created", "s3:ObjectRemoved:*"], target: queue });
  // @ts-expect-error -- and through addRoute
  bucket.addRoute({ name: "typo", events: ["s3:ObjectCreated:Putt"], target: queue });
  new EventBucket("b", {
    // @ts-expect-error -- and in the constructor's routes
    routes: [{ name: "typo", events: ["remove"], target: queue }],
  });
}

// A plain string is not accepted: widen on purpose (a cast) when the value comes from configuration.
declare const fromConfig: string;
// @ts-expect-error -- string is wider than EventSelector
export const unchecked: EventSelector[] = [fromConfig];
export const checkedAtRuntime: EventSelector[] = [fromConfig as EventSelector];
