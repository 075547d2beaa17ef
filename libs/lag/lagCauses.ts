import type { Backlog } from './deliveryBacklog.ts';

/** Why a subscription is behind: what offset-lag tools cannot say. */
export type LagCause =
  | 'paused'
  | 'circuit_open'
  | 'disabled'
  | 'parked_in_retry'
  | 'held_for_operator'
  | 'rebalancing'
  | 'no_consumer'
  | 'throttled_in_flight'
  | 'throttled_rate_limit'
  | 'endpoint_slow';

export interface CauseFinding {
  cause: LagCause;
  detail: string;
}

/** What the bridges delivering a subscription report about themselves (see workerReports). */
export interface WorkerFacts {
  bridges: number;
  /** Requests open and the in-flight caps in force, summed over bridges. */
  inFlight: number;
  limit: number;
  /** Attempts started, and of them those that waited for the rate limit, in the last periods. */
  started: number;
  paced: number;
  attemptsPerSecond: number;
  failedPerSecond: number;
  /** Mean duration of the requests answered in the last periods, ms. */
  meanResponseMs: number | null;
  timeoutMs: number;
}

export interface CauseInputs {
  state: 'active' | 'failing' | 'paused' | 'disabled' | 'deleted';
  lag: bigint;
  backlog: Backlog;
  group: { state: string; members: number } | undefined;
  workers: WorkerFacts | undefined;
}

// a request taking over a quarter of its timeout, or over a second, is slow
const SLOW_SHARE_OF_TIMEOUT = 0.25;
const SLOW_MS = 1000;

/** Every cause that holds now, most decisive first; empty when nothing holds the lag back. */
export function lagCauses(i: CauseInputs): CauseFinding[] {
  const out: CauseFinding[] = [];
  if (i.state === 'disabled')
    out.push({ cause: 'disabled', detail: 'the endpoint answered 410 Gone' });
  if (i.state === 'paused') out.push({ cause: 'paused', detail: 'paused by an operator' });
  if (i.state === 'failing') {
    out.push({ cause: 'circuit_open', detail: 'the circuit is open: only probes go out' });
  }
  if (i.backlog.held > 0) {
    out.push({
      cause: 'held_for_operator',
      detail: `${i.backlog.held} event(s) held until an operator releases them`,
    });
  }
  if (i.backlog.retrying > 0) {
    out.push({
      cause: 'parked_in_retry',
      detail: `${i.backlog.retrying} event(s) waiting for their next retry`,
    });
  }
  const delivering = i.state === 'active' || i.state === 'failing';
  if (i.group && /Rebalance/.test(i.group.state)) {
    out.push({ cause: 'rebalancing', detail: `consumer group is ${i.group.state}` });
  } else if (delivering && i.lag > 0n && (i.group?.members ?? 0) === 0) {
    out.push({ cause: 'no_consumer', detail: 'no bridge is a member of the consumer group' });
  }
  const w = i.workers;
  if (w !== undefined && i.lag > 0n) {
    if (w.inFlight >= w.limit) {
      out.push({
        cause: 'throttled_in_flight',
        detail: `${w.inFlight} request(s) open: the in-flight cap in force`,
      });
    }
    if (w.started > 0 && w.paced / w.started > 0.5) {
      out.push({
        cause: 'throttled_rate_limit',
        detail: `${w.paced} of ${w.started} recent attempts waited for the rate limit`,
      });
    }
    const slow = Math.min(SLOW_MS, w.timeoutMs * SLOW_SHARE_OF_TIMEOUT);
    if (w.meanResponseMs !== null && w.meanResponseMs >= slow) {
      out.push({
        cause: 'endpoint_slow',
        detail: `mean response ${Math.round(w.meanResponseMs)} ms`,
      });
    }
  }
  return out;
}
