import type { FallbackListener } from '../dedupe/deliveredMarks.ts';
import type { FanoutMetrics } from './fanoutMetrics.ts';

/** Counts each dedupe fallback (events delivered unchecked, marks not written) per subscription. */
export function countDedupeFallbacks(metrics: FanoutMetrics): FallbackListener {
  return (kind, subscription, count) =>
    (kind === 'unchecked' ? metrics.dedupeUnchecked : metrics.dedupeMarksSkipped).inc(
      { subscription },
      count,
    );
}
