/**
 * A list that collects items while a program declares its resources and then seals, so that a
 * single resource (one notification per bucket, one policy per queue) can hold every item.
 *
 * ## The rule: the synchronous run that created the list
 *
 * The list accepts items during the synchronous run of JavaScript in which it was created, and
 * seals at the first microtask after it: `queueMicrotask` is called when the list is created, and
 * JavaScript runs a queued microtask as soon as the running code returns to the event loop, before
 * any other microtask queued later (`await`, `.then`, `apply`) and before any timer or immediate.
 * So the answer depends only on where the code stands, never on timers or machine load:
 *
 * - in the same synchronous run (the constructor's `routes`, or calls right after it, before any
 *   `await`): accepted, on every run;
 * - after any `await` (of anything: a promise, `setTimeout(0)`, `setTimeout(10)`, `setImmediate`),
 *   inside a `.then` or inside an `Output`'s `apply`: an exact error, on every run, under mocks as
 *   under `pulumi preview` and `pulumi up`. (The real engine runs an apply only once its inputs are
 *   known, after the resource it would join was registered, and never during a preview with
 *   unknowns; refusing it everywhere is the only answer that is the same everywhere.)
 *
 * The resource that reads the list is registered at once with the sealed list as a pending input,
 * so nothing waits for process exit (which never comes in Automation API inline programs). Adding
 * after the seal is an exact error, never a silent second resource.
 */
export class SealedList<T> {
  private readonly items: T[] = [];
  private sealed = false;
  /** Resolves with every item once the list has sealed. */
  readonly values: Promise<T[]>;

  /**
   * @param what  what the list feeds, for the error, e.g. `the notification of bucket "uploads"`.
   */
  constructor(private readonly what: string) {
    this.values = new Promise((resolve) =>
      queueMicrotask(() => {
        this.sealed = true;
        resolve([...this.items]);
      }),
    );
  }

  /** Whether the list has sealed. */
  get isSealed(): boolean {
    return this.sealed;
  }

  /**
   * Adds an item.
   *
   * @param item  the item.
   * @param owner   who adds it, for the error.
   * @throws Error when the list has already sealed.
   */
  add(item: T, owner: string): void {
    this.assertOpen(owner);
    this.items.push(item);
  }

  /**
   * Throws the exact error {@link add} would, without adding anything.
   *
   * @param owner  who would add, for the error.
   */
  assertOpen(owner: string): void {
    if (this.sealed) throw new Error(lateAdditionMessage(owner, this.what));
  }
}

/**
 * The exact error for an item added after its list sealed.
 *
 * @param owner   who adds, e.g. `Route "late" of bucket "uploads"`.
 * @param what  what the list feeds, e.g. `the notification of bucket "uploads"`.
 */
export function lateAdditionMessage(owner: string, what: string): string {
  return (
    `${owner} was added after ${what} was finalised. Declare it in the same synchronous part of the ` +
    `program as the resource it joins (before any await, outside any apply), or pass it at construction.`
  );
}
