/**
 * A list that collects items while a program declares its resources and then seals, so that a
 * single resource (one notification per bucket, one policy per queue) can hold every item.
 *
 * It seals on the turn of the event loop after it was created: everything a program adds in the
 * same synchronous run is included, and the resource that reads it is registered at once, so
 * nothing waits for process exit (which never comes in Automation API inline programs). Adding
 * after that is an exact error, never a silent second resource.
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
      setImmediate(() => {
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
   * @param who   who adds it, for the error.
   * @throws Error when the list has already sealed.
   */
  add(item: T, who: string): void {
    this.assertOpen(who);
    this.items.push(item);
  }

  /**
   * Throws the exact error {@link add} would, without adding anything.
   *
   * @param who  who would add, for the error.
   */
  assertOpen(who: string): void {
    if (this.sealed) {
      throw new Error(
        `${who} was added after ${this.what} was finalised. Declare it in the same synchronous part of the ` +
          `program as the resource it joins (before any await, outside any apply), or pass it at construction.`,
      );
    }
  }
}
