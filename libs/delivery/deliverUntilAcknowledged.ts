import type { FanoutEvent } from '../events/fanoutEvent.ts';
import type { Logger } from '../log/logger.ts';
import { backoffDelay, type BackoffPolicy } from './backoff.ts';
import { postEvent, type AttemptOutcome, type Endpoint } from './postEvent.ts';

export interface DeliveryContext {
  endpoint: Endpoint;
  policy: BackoffPolicy;
  timeoutMs: number;
  /** False once the caller no longer owns the event (shutdown, partition revoked). */
  isActive: () => boolean;
  log: Logger;
  onAttempt?: (event: FanoutEvent, outcome: AttemptOutcome, attempt: number) => void;
}

export type DeliveryResult = 'acknowledged' | 'abandoned';

// Long waits are cut into slices so that a closed lane stops waiting promptly.
const SLICE_MS = 500;

/**
 * Pushes one event until its endpoint acknowledges it with a 2xx. A failure is never skipped:
 * the only way out without an acknowledgement is losing ownership of the event, in which case
 * whoever owns it next starts again from the uncommitted offset.
 */
export async function deliverUntilAcknowledged(
  event: FanoutEvent,
  ctx: DeliveryContext,
): Promise<DeliveryResult> {
  for (let attempt = 1; ; attempt++) {
    if (!ctx.isActive()) return 'abandoned';
    const outcome = await postEvent(ctx.endpoint, event, attempt, ctx.timeoutMs);
    ctx.onAttempt?.(event, outcome, attempt);
    if (outcome.ok) return 'acknowledged';
    const delay = backoffDelay(attempt, ctx.policy);
    ctx.log.warn('delivery attempt failed', {
      eventId: event.id,
      topic: event.topic,
      partition: event.partition,
      offset: event.offset,
      attempt,
      status: outcome.status,
      error: outcome.error,
      retryInMs: delay,
    });
    const until = Date.now() + delay;
    for (;;) {
      const left = until - Date.now();
      if (left <= 0 || !ctx.isActive()) break;
      await sleep(Math.min(left, SLICE_MS));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
