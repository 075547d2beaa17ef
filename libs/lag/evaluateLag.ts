/**
 * Lag evaluation in the manner of Burrow, from a window of samples of one subscription's
 * committed and log-end offsets. Pure: the monitor samples, this judges.
 *
 * - ok: caught up, or behind but not falling further behind;
 * - lagging: lag grew over the window and never reached zero in it;
 * - stalled: the committed offset did not move over a full window while lag stayed above zero.
 *   Unlike Burrow, a partition that commits slowly but moves is never stalled, and a partition
 *   without lag is never stalled however long it goes without a commit;
 * - failing (circuit open), paused and disabled come from the subscription's state and win.
 */
export type PartitionStatus = 'ok' | 'lagging' | 'stalled';
export type LagStatus = PartitionStatus | 'failing' | 'paused' | 'disabled';
export const LAG_STATUSES: readonly LagStatus[] = [
  'ok',
  'lagging',
  'stalled',
  'failing',
  'paused',
  'disabled',
];

export interface PartitionSample {
  /** Next offset to deliver; null when the group never committed on this partition. */
  committed: bigint | null;
  /** Log-start and log-end offsets. */
  low: bigint;
  end: bigint;
}

export interface LagSample {
  atMs: number;
  partitions: Map<number, PartitionSample>;
}

export interface PartitionEvaluation {
  partition: number;
  status: PartitionStatus;
  committed: bigint | null;
  end: bigint;
  lag: bigint;
  /** Committed-offset movement and log growth over the window, per second. */
  deliveredPerSecond: number;
  producedPerSecond: number;
}

export interface LagEvaluation {
  status: LagStatus;
  lag: bigint;
  deliveredPerSecond: number;
  producedPerSecond: number;
  /** Seconds to catch up at the current rates; 0 when caught up, null when not catching up. */
  drainSeconds: number | null;
  /** How much time the window's samples span. */
  spanMs: number;
  partitions: PartitionEvaluation[];
}

export function lagOf(p: PartitionSample): bigint {
  const from = p.committed ?? p.low;
  return p.end > from ? p.end - from : 0n;
}

/**
 * `samples` oldest first, all within the window; the last one is now. A window is full once
 * the samples span at least half of `windowMs`: before that nothing is called stalled.
 */
export function evaluateLag(
  samples: LagSample[],
  windowMs: number,
  state: 'active' | 'failing' | 'paused' | 'disabled' | 'deleted',
): LagEvaluation {
  const last = samples[samples.length - 1];
  if (last === undefined) throw new Error('evaluateLag needs at least one sample');
  const first = samples[0]!;
  const spanMs = last.atMs - first.atMs;
  const full = spanMs >= windowMs / 2;
  const seconds = spanMs / 1000;
  const partitions: PartitionEvaluation[] = [];
  for (const [partition, now] of [...last.partitions].sort((a, b) => a[0] - b[0])) {
    const history = samples.map((s) => s.partitions.get(partition)).filter((p) => p !== undefined);
    const start = history[0]!;
    const lag = lagOf(now);
    const moved = (now.committed ?? now.low) > (start.committed ?? start.low);
    let status: PartitionStatus = 'ok';
    if (lag > 0n) {
      if (!moved && full) status = 'stalled';
      else if (lag > lagOf(start) && history.every((p) => lagOf(p) > 0n)) status = 'lagging';
    }
    partitions.push({
      partition,
      status,
      committed: now.committed,
      end: now.end,
      lag,
      deliveredPerSecond:
        seconds > 0
          ? Number((now.committed ?? now.low) - (start.committed ?? start.low)) / seconds
          : 0,
      producedPerSecond: seconds > 0 ? Number(now.end - start.end) / seconds : 0,
    });
  }
  const lag = partitions.reduce((a, p) => a + p.lag, 0n);
  const deliveredPerSecond = partitions.reduce((a, p) => a + p.deliveredPerSecond, 0);
  const producedPerSecond = partitions.reduce((a, p) => a + p.producedPerSecond, 0);
  const net = deliveredPerSecond - producedPerSecond;
  const drainSeconds = lag === 0n ? 0 : net > 0 ? Number(lag) / net : null;
  return {
    status: subscriptionStatus(state, partitions),
    lag,
    deliveredPerSecond,
    producedPerSecond,
    drainSeconds,
    spanMs,
    partitions,
  };
}

function subscriptionStatus(
  state: 'active' | 'failing' | 'paused' | 'disabled' | 'deleted',
  partitions: PartitionEvaluation[],
): LagStatus {
  if (state === 'disabled' || state === 'deleted') return 'disabled';
  if (state === 'paused') return 'paused';
  if (state === 'failing') return 'failing';
  if (partitions.some((p) => p.status === 'stalled')) return 'stalled';
  if (partitions.some((p) => p.status === 'lagging')) return 'lagging';
  return 'ok';
}
