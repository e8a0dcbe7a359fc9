/**
 * The one way an error about a user's arguments is built: it names who it is about (the owner: a
 * component, or a route of a bucket), then the field, the value at fault and the fix, so that every
 * message starts the same way. Plain data, no Pulumi: the route model and the handlers' filters use
 * it too. The checks that build on it (`exactlyOne`, `checkRange`, `checkInput`, ...) are in
 * `argCheck`, which re-exports all of this.
 */

/**
 * An error in the arguments of one component or route. Its message starts `<owner>: `. Its `name`
 * stays `"Error"` (it is an Error to every caller, and prints as one).
 */
export class ArgumentError extends Error {
  /** Who the message is about, e.g. `LambdaTarget "resize"` or `Bucket "uploads", route "thumbs"`. */
  readonly owner: string;
  /** The argument at fault, e.g. `existing.arn`; undefined when the fault is not one argument's. */
  readonly field: string | undefined;

  constructor(owner: string, field: string | undefined, message: string) {
    super(message);
    this.owner = owner;
    this.field = field;
  }
}

/** A component as messages name it: `LambdaTarget "resize"`. */
export function componentOwner(kind: string, name: string): string {
  return `${kind} "${name}"`;
}

/**
 * A route as messages about its arguments name it: `Bucket "uploads", route "thumbs"`, or with
 * `kind`, e.g. `BucketEvents "audit", route "deletes"`.
 */
export function routeOwner(name: string, route: string, kind = "Bucket"): string {
  return `${componentOwner(kind, name)}, route "${route}"`;
}

/** A route as the subject of a sentence (late additions): `Route "thumbs" of bucket "uploads"`. */
export function routeSubject(bucket: string, route: string): string {
  return `Route "${route}" of bucket "${bucket}"`;
}

/** An error about `owner`: `<owner>: <text>`, for `field` when the fault is one argument's. */
export function ownerError(owner: string, text: string, field?: string): ArgumentError {
  return new ArgumentError(owner, field, `${owner}: ${text}`);
}

/** An error for one argument: `<owner>: <field> <problem>. <fix>` */
export function argError(owner: string, field: string, problem: string, fix: string): ArgumentError {
  return ownerError(owner, `${field} ${problem}. ${fix}`, field);
}
