/**
 * Keeps a stream of like alerts (one per dead letter, say) from flooding the alert webhook:
 * the first goes at once, then at most one per window, carrying how many were held back.
 */
export class AlertThrottle {
  private lastSentAt = -Infinity;
  private held = 0;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(windowMs: number, now: () => number = Date.now) {
    this.windowMs = windowMs;
    this.now = now;
  }

  /** Undefined: hold this one back; else send it, with the count of those held since the last. */
  hit(): { heldBack: number } | undefined {
    const now = this.now();
    if (now - this.lastSentAt < this.windowMs) {
      this.held++;
      return undefined;
    }
    this.lastSentAt = now;
    const heldBack = this.held;
    this.held = 0;
    return { heldBack };
  }
}
