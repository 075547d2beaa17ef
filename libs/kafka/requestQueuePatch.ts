import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The parts of KafkaJS's RequestQueue (one per broker connection) the replacement touches. */
interface RequestQueueInternals {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

// The release whose scheduleCheckPendingRequests is replaced; another is left as it is.
const PATCHED_VERSION = '2.2.4';
// KafkaJS's own interval for a queue with requests waiting (CHECK_PENDING_REQUESTS_INTERVAL).
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

let applied: boolean | undefined;

/**
 * Stops KafkaJS 2.2.4's endless pending-request check (upstream issues #1556, #1704, #1751).
 * After a connection's first answer, each check schedules the next one with a negative delay
 * even when no request waits and nothing is throttled, so every broker connection runs a 1 ms
 * timer for as long as it is open: an idle process wakes about a thousand times a second per
 * connection, and Node 24 warns of each negative delay (TimeoutNegativeWarning). Here a check
 * is scheduled only when a request waits (after the throttle, or at KafkaJS's 10 ms interval)
 * or while the broker throttles this client; a request that cannot be sent at once still
 * schedules its check when it is queued, and every answer still checks at once.
 * Returns whether the replacement is in place (false for another KafkaJS release, whose code
 * this was not written against). Idempotent.
 */
export function patchRequestQueue(): boolean {
  if (applied !== undefined) return applied;
  const { version } = require('kafkajs/package.json') as { version: string };
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
    prototype: RequestQueueInternals;
  };
  const original = RequestQueue.prototype.scheduleCheckPendingRequests;
  applied =
    version === PATCHED_VERSION &&
    typeof original === 'function' &&
    original.toString().includes('this.throttledUntil - Date.now()');
  if (!applied) return false;
  RequestQueue.prototype.scheduleCheckPendingRequests = function (
    this: RequestQueueInternals,
  ): void {
    if (this.throttleCheckTimeoutId) return;
    let delayMs = this.throttledUntil - Date.now();
    if (this.pending.length > 0) {
      if (delayMs <= 0) delayMs = CHECK_PENDING_REQUESTS_INTERVAL_MS;
    } else if (delayMs <= 0) {
      // nothing waits and nothing is throttled: a check now or later would find nothing to do
      return;
    }
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delayMs);
  };
  return true;
}
