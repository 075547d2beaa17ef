import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A subscription's cap on attempts per second: a token bucket holding one second's worth, so a
 * quiet subscription may send a short burst but never more than `perSecond` on average.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly perSecond: number;
  private readonly now: () => number;

  constructor(perSecond: number, now: () => number = Date.now) {
    this.perSecond = perSecond;
    this.now = now;
    this.tokens = perSecond;
    this.last = now();
  }

  /** Takes a token now if one is there; else answers how many ms until one will be. */
  tryTake(): number {
    const now = this.now();
    this.tokens = Math.min(
      this.perSecond,
      this.tokens + ((now - this.last) / 1000) * this.perSecond,
    );
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens--;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  /** Waits for a token; false once the caller let go of its event. */
  async take(isOpen: () => boolean): Promise<boolean> {
    for (;;) {
      if (!isOpen()) return false;
      const wait = this.tryTake();
      if (wait === 0) return true;
      await sleep(Math.min(wait, 250));
    }
  }
}
