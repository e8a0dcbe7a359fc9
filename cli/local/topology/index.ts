/**
 * What the local event loop needs to know about a stack, read from its offline plan (the recorded
 * registrations of the program run under mocks): buckets, the route table, and the pieces events
 * travel through — one reader per resource kind beside this module: functions (and which reference
 * handler each one deploys), queues with their redrive and consumers, topics with their
 * subscriptions, EventBridge rules with their targets and input transformers, state machines, API
 * destinations and tables. Nothing here is specific to index.ts: another stack built from the same
 * components runs locally the same way.
 */
import type { RecordedResource } from "../../../components/testing/mockEngine";
import { collectRoutes, PlanRoute } from "../../planReport";
import { LocalApiDestination, readApiDestinations } from "./apiDestinations";
import { readBuckets, readNotifications } from "./buckets";
import { LocalFunction, readFunctions } from "./functions";
import { LocalQueue, readQueues } from "./queues";
import { Recorded } from "./recorded";
import { LocalRule, readRules } from "./rules";
import { LocalStateMachine, readStateMachines } from "./stateMachines";
import { LocalTable, readTables } from "./tables";
import { LocalTopic, readTopics } from "./topics";

export type { LocalApiDestination } from "./apiDestinations";
export type { LocalFunction } from "./functions";
export type { LocalQueue } from "./queues";
export type { LocalRule, LocalRuleTarget } from "./rules";
export type { LocalStateMachine } from "./stateMachines";
export type { LocalTable } from "./tables";
export type { LocalSubscription, LocalTopic } from "./topics";

/** Everything the loop delivers through. */
export interface Topology {
  /** The account id of the mocks. */
  accountId: string;
  /** The region. */
  region: string;
  /** Every bucket's physical name. */
  buckets: string[];
  /** The route table, as the plan shows it. */
  routes: PlanRoute[];
  /** `<bucket name>/<entry Id>` → destination ARN, for native notification entries. */
  nativeDestinations: Map<string, string>;
  /** Buckets whose notification sends every event to EventBridge. */
  eventBridgeBuckets: Set<string>;
  /** Functions. */
  functions: LocalFunction[];
  /** Queues. */
  queues: LocalQueue[];
  /** Topics. */
  topics: LocalTopic[];
  /** EventBridge rules (object and bucket-call rules alike). */
  rules: LocalRule[];
  /** State machines. */
  stateMachines: LocalStateMachine[];
  /** API destinations. */
  apiDestinations: LocalApiDestination[];
  /** Tables. */
  tables: LocalTable[];
}

/**
 * Reads the topology from a program's recorded registrations.
 *
 * @param resources - what the mock engine recorded.
 * @param region - the stack's region.
 * @param accountId - the mocks' account id.
 */
export async function readTopology(
  resources: readonly RecordedResource[],
  region: string,
  accountId: string,
): Promise<Topology> {
  const recorded = new Recorded(resources);
  return {
    accountId,
    region,
    buckets: readBuckets(recorded),
    routes: collectRoutes(resources),
    ...readNotifications(recorded),
    functions: await readFunctions(recorded),
    queues: readQueues(recorded),
    topics: readTopics(recorded),
    rules: readRules(recorded),
    stateMachines: readStateMachines(recorded),
    apiDestinations: readApiDestinations(recorded),
    tables: readTables(recorded),
  };
}
