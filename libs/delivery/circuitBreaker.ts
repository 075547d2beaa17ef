import { setTimeout as sleep } from 'node:timers/promises';
export interface CircuitOptions {
  /** Consecutive failed attempts, across all partitions, that open the circuit. */
  failureThreshold: number;
  /** First wait before a probe; doubles after each failed probe up to probeMaxMs. */
  probeInitialMs: number;
  probeMaxMs: number;
  onOpen: (consecutiveFailures: number) => void;
  onClose: () => void;
  /** Start open (the subscription was failing when its worker started): the first attempt probes. */
  startOpen?: boolean;
  now?: () => number;
}

// How often a waiting attempt looks again whether it may start.
const POLL_MS = 100;

/**
 * One subscription's circuit. Closed, every attempt may start. After `failureThreshold`
 * consecutive failures it opens: attempts wait (their retry budgets untouched), and one probe
 * goes out at growing intervals; a successful probe closes it. Lanes fill up meanwhile and
 * pause their partitions, so an open circuit also stops fetching.
 */
export class CircuitBreaker {
  private failures = 0;
  private open = false;
  private probing = false;
  private probeAt = 0;
  private probeDelay: number;
  private readonly o: CircuitOptions;
  private readonly now: () => number;

  constructor(options: CircuitOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
    this.probeDelay = options.probeInitialMs;
    this.open = options.startOpen ?? false;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Resolves true when an attempt may start now, false once `isActive` turns false. */
  async permit(isActive: () => boolean): Promise<boolean> {
    for (;;) {
      if (!isActive()) return false;
      if (!this.open) return true;
      if (!this.probing && this.now() >= this.probeAt) {
        this.probing = true;
        return true;
      }
      await sleep(POLL_MS);
    }
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
    if (this.open) {
      this.open = false;
      this.probeDelay = this.o.probeInitialMs;
      this.o.onClose();
    }
  }

  failure(): void {
    this.failures++;
    if (this.open) {
      if (this.probing) {
        this.probing = false;
        this.probeDelay = Math.min(this.o.probeMaxMs, this.probeDelay * 2);
        this.probeAt = this.now() + this.probeDelay;
      }
      return;
    }
    if (this.failures >= this.o.failureThreshold) {
      this.open = true;
      this.probeDelay = this.o.probeInitialMs;
      this.probeAt = this.now() + this.probeDelay;
      this.o.onOpen(this.failures);
    }
  }
}
