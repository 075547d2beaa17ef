/**
 * When each offset of one partition was written, as far as sampling can tell: a list of
 * (time, log-end offset) points. The record at offset `o` was written between the last point
 * whose end was ≤ o and the first whose end is > o, so its produce time is interpolated there.
 * This needs no record fetch, so it works alike for paused, failing and healthy subscriptions.
 */
export interface TimelinePoint {
  atMs: number;
  end: bigint;
}

// at the default 5 s interval, about a day of changes; older points are thinned out
const MAX_POINTS = 20_000;

export class OffsetTimeline {
  private readonly points: TimelinePoint[] = [];

  get size(): number {
    return this.points.length;
  }

  /** Adds a point; points may arrive out of order (seeding fills in the past). */
  add(atMs: number, end: bigint): void {
    const pts = this.points;
    const last = pts[pts.length - 1];
    if (last === undefined || atMs >= last.atMs) {
      // a run of equal ends keeps only its first and last point
      const prev = pts[pts.length - 2];
      if (last !== undefined && prev !== undefined && prev.end === end && last.end === end) {
        last.atMs = atMs;
        return;
      }
      if (last !== undefined && end < last.end) return; // a log never shrinks at its end
      pts.push({ atMs, end });
    } else {
      const i = pts.findIndex((p) => p.atMs > atMs);
      pts.splice(i, 0, { atMs, end });
      // keep ends non-decreasing in time: an out-of-order seed never contradicts a later sample
      for (let k = 1; k < pts.length; k++)
        if (pts[k]!.end < pts[k - 1]!.end) pts[k]!.end = pts[k - 1]!.end;
    }
    if (pts.length > MAX_POINTS) pts.splice(1, 1);
  }

  /** The earliest time the timeline knows of. */
  get startMs(): number | undefined {
    return this.points[0]?.atMs;
  }

  /** The times between which the record at `offset` was written, when the timeline knows. */
  bracket(offset: bigint): { fromMs: number; toMs: number } | undefined {
    const i = this.firstHolding(offset);
    if (i >= this.points.length || i === 0) return undefined;
    return { fromMs: this.points[i - 1]!.atMs, toMs: this.points[i]!.atMs };
  }

  /** Index of the first point whose end is past `offset` (the record existed then). */
  private firstHolding(offset: bigint): number {
    const pts = this.points;
    let lo = 0;
    let hi = pts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pts[mid]!.end > offset) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * Estimated produce time of the record at `offset`: undefined when it was written before
   * the first point (the caller may then only say "older than startMs") or not yet written.
   */
  producedAt(offset: bigint): number | undefined {
    const pts = this.points;
    const lo = this.firstHolding(offset);
    if (lo >= pts.length || lo === 0) return undefined;
    const after = pts[lo]!;
    const before = pts[lo - 1]!;
    const share = Number(offset - before.end + 1n) / Number(after.end - before.end);
    return before.atMs + (after.atMs - before.atMs) * share;
  }
}
