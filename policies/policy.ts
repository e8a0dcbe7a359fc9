/**
 * The CrossGuard layer, written once. Every rule of the pack is a pure function (a stack rule:
 * {@link StackIndex} to violations; a resource rule: one record to messages), tested directly; the
 * policy constants the pack exports are these functions wrapped with their name, description and
 * enforcement level by {@link stackPolicy} and {@link resourcePolicy}, the way pulumi-policy-aws
 * wraps its rules with `registerPolicy`.
 */
import type { Resource } from "@pulumi/pulumi";
import {
  Policy,
  ResourceValidation,
  ResourceValidationPolicy,
  StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { recordOfArgs, ResourceRecord } from "./records";
import { StackIndex, stackOf, Violation } from "./stack";

/** What a policy is called and how it is enforced: everything of a CrossGuard policy but its check. */
export type PolicyMeta = Pick<Policy, "name" | "description" | "enforcementLevel" | "configSchema">;

/**
 * A stack rule: the violations in a stack, given the policy's configuration (the schema's defaults
 * overlaid with the pack's config; `{}` when the policy has no `configSchema`).
 */
export type StackRule<C extends object> = (stack: StackIndex, config: C) => Violation[];

/** A resource rule: the violation messages for one resource. */
export type ResourceRule = (r: ResourceRecord) => string[];

/** A resource class, as `validateResourceOfType` takes it (`aws.sqs.Queue`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the constructor's arguments vary by class, as in @pulumi/policy
type ResourceClass = { new (name: string, args: any, ...rest: any[]): Resource };

/**
 * The CrossGuard stack policy that reports each violation `rule` finds, against the resource it
 * names. The stack index is shared by the policies evaluated over the same resources.
 */
export function stackPolicy<C extends object = Record<string, never>>(
  meta: PolicyMeta,
  rule: StackRule<C>,
): StackValidationPolicy {
  return {
    ...meta,
    validateStack: (args, reportViolation) => {
      const config = meta.configSchema ? args.getConfig<C>() : ({} as C);
      for (const v of rule(stackOf(args), config)) reportViolation(v.message, v.urn);
    },
  };
}

/** The validation that reports `rule`'s messages for each resource of `resourceClass`. */
export function resourceCheck(resourceClass: ResourceClass, rule: ResourceRule): ResourceValidation {
  return validateResourceOfType(resourceClass, (_props, args, reportViolation) => {
    for (const m of rule(recordOfArgs(args))) reportViolation(m);
  });
}

/**
 * The CrossGuard resource policy that reports `rule`'s messages for each resource of
 * `resourceClass`; or, given several `[class, rule]` pairs, each pair's rule for its class.
 */
export function resourcePolicy(
  meta: PolicyMeta,
  resourceClass: ResourceClass,
  rule: ResourceRule,
): ResourceValidationPolicy;
export function resourcePolicy(
  meta: PolicyMeta,
  checks: readonly (readonly [ResourceClass, ResourceRule])[],
): ResourceValidationPolicy;
export function resourcePolicy(
  meta: PolicyMeta,
  classOrChecks: ResourceClass | readonly (readonly [ResourceClass, ResourceRule])[],
  rule?: ResourceRule,
): ResourceValidationPolicy {
  const validateResource = Array.isArray(classOrChecks)
    ? classOrChecks.map(([cls, r]) => resourceCheck(cls, r))
    : resourceCheck(classOrChecks as ResourceClass, rule as ResourceRule);
  return { ...meta, validateResource };
}
