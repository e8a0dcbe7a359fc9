/**
 * Our side: the same routes declared with the components — one {@link EventBucket} per bucket
 * with the product's defaults (public access block, ownership, encryption, TLS-only policy, one
 * notification), in one of two shapes:
 *
 * - `"per-route"`: a target component per route (the same work as the hand-written baseline, plus
 *   what the components add: dead-letter queues, log groups, async invoke configs, topic keys);
 * - `"shared"`: per bucket one LambdaTarget, one QueueTarget and one TopicTarget, the bucket's
 *   routes spread over them (the way the components are meant to be used: a target is bound by
 *   many routes, its role, DLQ, permission and policy created once).
 *
 * With `alarms`, an {@link Alarms} component watches every bucket and target; with `named`, every
 * bucket gets a physical name (`bench-<bucket>`) instead of an auto-name.
 */
import { Alarms, EventBucket, LambdaTarget, QueueTarget, TopicTarget } from "../../components";
import { NotificationTarget } from "../../components/target";
import { BENCH_CODE, bucketNames, Kind, routesOf, Shape } from "./shape";

/** How targets are shared. */
export type TargetSharing = "per-route" | "shared";

const target = (kind: Kind, name: string): NotificationTarget => {
  switch (kind) {
    case "lambda":
      return new LambdaTarget(name, { code: { code: BENCH_CODE, handler: "index.handler" } });
    case "sqs":
      return new QueueTarget(name, {});
    case "sns":
      return new TopicTarget(name, {});
  }
};

/** Options of {@link eventRoutes}. */
export interface EventRoutesOptions {
  /** Watch every bucket and target with one Alarms component. Default false. */
  alarms?: boolean;
  /** Give every bucket a physical name. Default false (auto-named). */
  named?: boolean;
}

/** The program: declares every bucket and route of `shape` with the components. */
export function eventRoutes(
  shape: Shape,
  sharing: TargetSharing,
  options: EventRoutesOptions = {},
): () => void {
  return () => {
    const buckets: EventBucket[] = [];
    const targets: NotificationTarget[] = [];
    for (const b of bucketNames(shape)) {
      const shared = new Map<Kind, NotificationTarget>();
      const targetOf = (kind: Kind, routeName: string): NotificationTarget => {
        if (sharing === "per-route") {
          const t = target(kind, `${b}-${routeName}`);
          targets.push(t);
          return t;
        }
        let t = shared.get(kind);
        if (!t) {
          t = target(kind, `${b}-${kind}`);
          shared.set(kind, t);
          targets.push(t);
        }
        return t;
      };
      buckets.push(
        new EventBucket(b, {
          bucketName: options.named ? `bench-${b}` : undefined,
          routes: routesOf(shape).map((route) => ({
            name: route.name,
            events: ["created"],
            filter: { prefix: route.prefix },
            target: targetOf(route.kind, route.name),
          })),
        }),
      );
    }
    if (options.alarms) new Alarms("alarms").watch({ sources: buckets, targets });
  };
}
