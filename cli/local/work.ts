/**
 * Pending work of the local event loop: every event being delivered, every message waiting in a
 * consumed queue, every timer that will deliver something. `settled()` resolves once nothing is
 * pending — which is when a demo may look at the results, and when Ctrl-C may close the servers.
 */
export class PendingWork {
  private count = 0;
  private waiters: (() => void)[] = [];

  /** How many pieces of work are pending. */
  get pending(): number {
    return this.count;
  }

  /** Starts one piece of work; call the returned function exactly once when it is done. */
  begin(): () => void {
    this.count += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.count -= 1;
      if (this.count === 0) setImmediate(() => this.wake());
    };
  }

  /** Runs `task` as one piece of work. */
  async track<T>(task: () => Promise<T>): Promise<T> {
    const end = this.begin();
    try {
      return await task();
    } finally {
      end();
    }
  }

  /** Resolves when nothing is pending (checked again after a turn, so work started synchronously counts). */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      setImmediate(() => this.wake());
    });
  }

  private wake(): void {
    if (this.count !== 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
