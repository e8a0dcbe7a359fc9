/**
 * The component provider's entry: Pulumi's Node.js plugin host loads this module and serves every
 * component it exports, with a schema its analyzer derives from their TypeScript types. It exports
 * the one component whose arguments are plain data, and nothing else: a single export the
 * analyzer cannot read would take the whole schema down with it.
 */
export { EventRouter } from "./eventRouter";
