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

  onRoom(wake: () => void): void {
    this.waiters.add(wake);
  }

  offRoom(wake: () => void): void {
    this.waiters.delete(wake);
  }
}
