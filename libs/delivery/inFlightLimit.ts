import type { AttemptOutcome } from './postEvent.ts';

// After a decrease, further overload signals are ignored this long: requests already in flight
// when the endpoint struggled report it too, and one episode should halve the limit once.
const DECREASE_COOLDOWN_MS = 1000;

/**
 * A subscription's cap on requests in flight, shared by all its partitions' lanes. Within the
 * configured maximum the cap adapts to the endpoint (AIMD, as TCP does): each acknowledged
 * request adds 1/limit (about +1 per round of requests), an overload signal — a timeout, a
 * refused connection, a 5xx or a 429 — halves it, down to 1. A lane that finds no room
 * registers to be woken when a request of any lane finishes.
 */
export class InFlightLimit {
  private used = 0;
  private readonly waiters = new Set<() => void>();
  readonly max: number;
  private adaptive: number;
  private lastDecrease = -Infinity;
  private readonly now: () => number;

  constructor(max: number, now: () => number = Date.now) {
    this.max = max;
    this.adaptive = max;
    this.now = now;
  }

  get inFlight(): number {
    return this.used;
  }

  /** The cap now in force. */
  get current(): number {
    return Math.max(1, Math.floor(this.adaptive));
  }

  tryAcquire(): boolean {
    if (this.used >= this.current) return false;
    this.used++;
    return true;
  }

  release(): void {
    this.used--;
    // Waiters take turns: the one that takes the slot goes to the back. Woken in a fixed order,
    // the lane registered first took every freed slot while it had work, and the other
    // partitions, starved, filled up and paused: the partitions were drained one after another,
    // and the fetches long-polled on a partition with nothing left while the others waited.
    for (const wake of [...this.waiters]) {
      if (this.used >= this.current) return;
      const before = this.used;
      wake();
      if (this.used > before && this.waiters.delete(wake)) this.waiters.add(wake);
    }
  }

  /** Feeds back how a request went. */
  feedback(signal: 'ok' | 'overload' | 'neutral'): void {
    if (signal === 'ok') {
      this.adaptive = Math.min(this.max, this.adaptive + 1 / this.adaptive);
    } else if (signal === 'overload') {
      const now = this.now();
      if (now - this.lastDecrease < DECREASE_COOLDOWN_MS) return;
      this.lastDecrease = now;
      this.adaptive = Math.max(1, this.adaptive / 2);
    }
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

/** What an attempt's outcome says about the endpoint's capacity. */
export function capacitySignal(outcome: AttemptOutcome): 'ok' | 'overload' | 'neutral' {
  if (outcome.ok) return 'ok';
  if (outcome.status === null || outcome.status === 429 || outcome.status >= 500) {
    return 'overload';
  }
  // a 4xx other than 429 is about the event, not about load
  return 'neutral';
}
