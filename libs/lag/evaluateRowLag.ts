import type { LagEvaluation } from './evaluateLag.ts';

/** One sample of a write fan-out subscription: its delivery rows not settled yet. */
export interface RowSample {
  atMs: number;
  /** Rows pending or in flight. */
  open: number;
}

/**
 * Lag of a subscription in write fan-out, where Kafka offsets say nothing about it: its open
 * delivery rows. `lagging` when they grew across the window and never reached zero; the
 * subscription's state wins as in `evaluateLag`. Rows carry no per-partition figures here.
 */
export function evaluateRowLag(
  samples: RowSample[],
  state: 'active' | 'failing' | 'paused' | 'disabled' | 'deleted',
): LagEvaluation {
  const last = samples[samples.length - 1];
  if (last === undefined) throw new Error('evaluateRowLag needs at least one sample');
  const first = samples[0]!;
  const spanMs = last.atMs - first.atMs;
  const grew = last.open > first.open && samples.every((s) => s.open > 0);
  const status =
    state === 'disabled' || state === 'deleted'
      ? 'disabled'
      : state === 'paused' || state === 'failing'
        ? state
        : grew
          ? 'lagging'
          : 'ok';
  // rows are made as events arrive and settled as they are delivered: their net change is
  // all that is known, so the drain estimate uses it alone
  const netPerSecond = spanMs > 0 ? (first.open - last.open) / (spanMs / 1000) : 0;
  return {
    status,
    lag: BigInt(last.open),
    deliveredPerSecond: Math.max(0, netPerSecond),
    producedPerSecond: 0,
    drainSeconds: last.open === 0 ? 0 : netPerSecond > 0 ? last.open / netPerSecond : null,
    spanMs,
    partitions: [],
  };
}
