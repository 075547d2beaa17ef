import { setTimeout as sleep } from 'node:timers/promises';
export interface CircuitOptions {
  /** Consecutive failed attempts, across all partitions, that open the circuit. */
  failureThreshold: number;
  /** First wait before a probe; doubles after each failed probe up to probeMaxMs. */
  probeInitialMs: number;
  probeMaxMs: number;
  onOpen: (failures: number, reason: 'consecutive' | 'ratio') => void;
  onClose: () => void;
  /** Failed share of attempts (0–1) over `errorWindowMs` that also opens; 0: off. */
  errorRatio?: number;
  errorWindowMs?: number;
  /** Attempts the window must hold before its ratio counts. */
  minAttempts?: number;
  /** Start open (the subscription was failing when its worker started): the first attempt probes. */
  startOpen?: boolean;
  now?: () => number;
}

// How often a waiting attempt looks again whether it may start.
const POLL_MS = 100;
// The error window is kept as this many buckets, so it slides without remembering each attempt.
const BUCKETS = 10;

/**
 * One subscription's circuit. Closed, every attempt may start. After `failureThreshold`
 * consecutive failures, or a failed share of at least `errorRatio` over the error window, it opens: attempts wait (their retry budgets untouched), and one probe
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
  // per bucket of the error window: [bucket start, attempts, failures]
  private readonly window: [number, number, number][] = [];

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
    this.count(false);
    this.failures = 0;
    this.probing = false;
    if (this.open) {
      this.open = false;
      this.window.length = 0;
      this.probeDelay = this.o.probeInitialMs;
      this.o.onClose();
    }
  }

  failure(): void {
    const ratioTripped = this.count(true);
    this.failures++;
    if (this.open) {
      if (this.probing) {
        this.probing = false;
        this.probeDelay = Math.min(this.o.probeMaxMs, this.probeDelay * 2);
        this.probeAt = this.now() + this.probeDelay;
      }
      return;
    }
    const consecutive = this.failures >= this.o.failureThreshold;
    if (consecutive || ratioTripped) {
      this.open = true;
      this.probeDelay = this.o.probeInitialMs;
      this.probeAt = this.now() + this.probeDelay;
      this.o.onOpen(this.failures, consecutive ? 'consecutive' : 'ratio');
      this.window.length = 0;
    }
  }

  /** Counts an attempt in the error window; true when the window's failed share trips. */
  private count(failed: boolean): boolean {
    const ratio = this.o.errorRatio ?? 0;
    if (ratio <= 0) return false;
    const span = this.o.errorWindowMs ?? 60_000;
    const width = span / BUCKETS;
    const now = this.now();
    const start = now - (now % width);
    while (this.window.length > 0 && this.window[0]![0] <= now - span) this.window.shift();
    let last = this.window[this.window.length - 1];
    if (last === undefined || last[0] !== start) {
      last = [start, 0, 0];
      this.window.push(last);
    }
    last[1]++;
    if (failed) last[2]++;
    let attempts = 0;
    let failures = 0;
    for (const [, a, f] of this.window) {
      attempts += a;
      failures += f;
    }
    return attempts >= (this.o.minAttempts ?? 20) && failures >= ratio * attempts;
  }
}
