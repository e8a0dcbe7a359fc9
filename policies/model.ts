/**
 * The pure route model the policies share with the components: the one S3 overlap rule, S3's key
 * encoding and the event catalogue. Re-exported here so that the pack has a single way in to it.
 *
 * `pulumi preview --policy-pack policies` runs the pack in place, so this relative import resolves;
 * `npm run policy:bundle` inlines it into `policies/dist-pack` for `pulumi policy publish`.
 */
export { describeOverlap, findOverlaps } from "../model/routeModel";
export type { NotificationEntryLike, Overlap } from "../model/routeModel";
export { decodeS3Key, describeFilter, filtersOverlap } from "../model/objectFilter";
export type { ObjectFilter } from "../model/objectFilter";
export { expandEventType, isS3EventType } from "../model/eventTypes";
