/**
 * A subscription's cap on requests in flight, shared by all its partitions' lanes. A lane that
 * finds no room registers to be woken when a request of any lane finishes.
 */
export class InFlightLimit {
  private used = 0;
  private readonly waiters = new Set<() => void>();
  readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get inFlight(): number {
    return this.used;
  }

  tryAcquire(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }

  release(): void {
    this.used--;
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * Waits for room. Once the caller no longer owns its work (`isOpen` false) it takes the slot
   * at once, since it will only finish and release it.
   */
  async acquire(isOpen: () => boolean): Promise<void> {
    while (!this.tryAcquire()) {
      if (!isOpen()) {
        this.used++;
        return;
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.offRoom(wake);
          resolve();
        };
        this.onRoom(wake);
        // a lane closed meanwhile releases nothing; look again shortly
        setTimeout(wake, 250).unref();
      });
    }
  }

  onRoom(wake: () => void): void {
    this.waiters.add(wake);
  }

  offRoom(wake: () => void): void {
    this.waiters.delete(wake);
  }
}
