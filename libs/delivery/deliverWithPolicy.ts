import { setTimeout as sleep } from 'node:timers/promises';
import type { FanoutEvent } from '../events/fanoutEvent.ts';
import type { Logger } from '../log/logger.ts';
import type { RetryState } from '../retry/retryStateStore.ts';
import { backoffDelay } from './backoff.ts';
import type { CircuitBreaker } from './circuitBreaker.ts';
import { postEvent, type AttemptOutcome, type Endpoint } from './postEvent.ts';
import { mayRetry, type RetryPolicy } from './retryPolicy.ts';

/** The durable memory of an event's attempts; writes may fail (PostgreSQL down) without harm. */
export interface RetryMemory {
  get(event: FanoutEvent): RetryState | undefined;
  save(
    event: FanoutEvent,
    state: RetryState,
    last?: { status: number | null; error: string },
  ): Promise<void>;
  clear(event: FanoutEvent): Promise<void>;
}

export type PolicyOutcome =
  | { kind: 'acknowledged'; attempts: number }
  | { kind: 'abandoned' }
  /** No attempt may start any more: dead-letter it. */
  | { kind: 'exhausted'; attempts: number; status: number | null; error: string }
  /** 410 Gone: the endpoint asked never to be called again. */
  | { kind: 'gone'; attempts: number };

/** A failed attempt handed back for a later retry (only with `deferRetries`). */
export interface DeferredOutcome {
  kind: 'deferred';
  attempts: number;
  /** Epoch ms before which the next attempt must not start (backoff or Retry-After). */
  nextAttemptAt: number;
  status: number | null;
  error: string;
}

export interface PolicyContext {
  endpoint: Endpoint;
  policy: RetryPolicy;
  memory: RetryMemory;
  /** False once the caller no longer owns the event (shutdown, rebalance, subscription change). */
  isOpen: () => boolean;
  log: Logger;
  /** The subscription's circuit: attempts wait while it is open, except its probes. */
  circuit?: CircuitBreaker;
  /** Called as each HTTP attempt starts, and after it with how long the request took. */
  onAttemptStart?: (event: FanoutEvent) => void;
  onAttempt?: (event: FanoutEvent, outcome: AttemptOutcome, attempt: number, ms: number) => void;
  /** Waits until the subscription's rate cap lets an attempt start; false: let go. */
  pace?: (isOpen: () => boolean) => Promise<boolean>;
  /** Runs the waits between attempts; the lane uses it to free the event's in-flight slot. */
  idle?: <T>(wait: () => Promise<T>) => Promise<T>;
  /**
   * Return after one failed attempt instead of waiting in this process for the next: for a
   * caller that keeps the schedule durably itself (a delivery row with its next_attempt), so no
   * lease is held through a backoff. The attempt is saved to `memory` first, as always.
   */
  deferRetries?: boolean;
}

// Waits are cut into slices so that a closed lane stops waiting promptly.
const SLICE_MS = 250;

/**
 * Pushes one event until its endpoint acknowledges it, the policy runs out, or the caller lets
 * go of it. Attempts are counted durably: a retry is recorded before it starts, so a crash or a
 * rebalance mid-retry neither resets the count nor loses the schedule.
 */
export async function deliverWithPolicy(
  event: FanoutEvent,
  ctx: PolicyContext & { deferRetries?: false },
): Promise<PolicyOutcome>;
export async function deliverWithPolicy(
  event: FanoutEvent,
  ctx: PolicyContext & { deferRetries: true },
): Promise<PolicyOutcome | DeferredOutcome>;
export async function deliverWithPolicy(
  event: FanoutEvent,
  ctx: PolicyContext,
): Promise<PolicyOutcome | DeferredOutcome> {
  const known = ctx.memory.get(event);
  let attempts = known?.attempts ?? 0;
  let firstAttemptAt = known?.firstAttemptAt;
  let nextAttemptAt = known?.nextAttemptAt ?? 0;
  let last = { status: null as number | null, error: 'attempts used up before a restart' };
  for (;;) {
    if (
      firstAttemptAt !== undefined &&
      !mayRetry(ctx.policy, attempts, firstAttemptAt, Date.now())
    ) {
      return { kind: 'exhausted', attempts, ...last };
    }
    const at = nextAttemptAt;
    const circuit = ctx.circuit;
    const mustWait = at > Date.now() || circuit?.isOpen === true;
    const wait = async (): Promise<boolean> =>
      (await waitUntil(at, ctx.isOpen)) &&
      (circuit === undefined || (await circuit.permit(ctx.isOpen)));
    const go = mustWait && ctx.idle ? await ctx.idle(wait) : await wait();
    if (!go) return { kind: 'abandoned' };
    if (ctx.pace && !(await ctx.pace(ctx.isOpen))) return { kind: 'abandoned' };
    attempts++;
    const startedAt = Date.now();
    firstAttemptAt ??= startedAt;
    if (attempts > 1) {
      await remember(ctx, event, { attempts, firstAttemptAt, nextAttemptAt: startedAt });
    }
    ctx.onAttemptStart?.(event);
    const outcome = await postEvent(ctx.endpoint, event, attempts, ctx.policy.timeoutMs);
    ctx.onAttempt?.(event, outcome, attempts, Date.now() - startedAt);
    if (outcome.ok) ctx.circuit?.success();
    else if (outcome.status !== 410) ctx.circuit?.failure();
    if (outcome.ok) {
      if (attempts > 1) await forget(ctx, event);
      return { kind: 'acknowledged', attempts };
    }
    if (outcome.status === 410) return { kind: 'gone', attempts };
    last = { status: outcome.status, error: outcome.error };
    const delay = Math.max(backoffDelay(attempts, ctx.policy), outcome.retryAfterMs ?? 0);
    nextAttemptAt = Date.now() + delay;
    await remember(ctx, event, { attempts, firstAttemptAt, nextAttemptAt }, last);
    ctx.log.warn('delivery attempt failed', {
      eventId: event.id,
      partition: event.partition,
      offset: event.offset,
      attempt: attempts,
      status: outcome.status,
      error: outcome.error,
      retryInMs: delay,
    });
    if (ctx.deferRetries && mayRetry(ctx.policy, attempts, firstAttemptAt, Date.now())) {
      return { kind: 'deferred', attempts, nextAttemptAt, ...last };
    }
  }
}

async function waitUntil(at: number, isOpen: () => boolean): Promise<boolean> {
  for (;;) {
    if (!isOpen()) return false;
    const left = at - Date.now();
    if (left <= 0) return true;
    await sleep(Math.min(left, SLICE_MS));
  }
}

async function remember(
  ctx: PolicyContext,
  event: FanoutEvent,
  state: RetryState,
  last?: { status: number | null; error: string },
): Promise<void> {
  try {
    await ctx.memory.save(event, state, last);
  } catch (err) {
    // the retry goes on from memory; only a crash in this window could repeat an attempt
    ctx.log.warn('retry state not saved', { eventId: event.id, err });
  }
}

async function forget(ctx: PolicyContext, event: FanoutEvent): Promise<void> {
  try {
    await ctx.memory.clear(event);
  } catch (err) {
    ctx.log.warn('retry state not cleared', { eventId: event.id, err });
  }
}
