import assert from 'node:assert/strict';
import type { Received } from './webhookSink.ts';

/** Offsets each partition delivered, in arrival order. */
export function offsetsByPartition(received: Received[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of received) {
    const p = String(r.headers['fanout-partition']);
    out.set(p, [...(out.get(p) ?? []), Number(r.headers['fanout-offset'])]);
  }
  return out;
}

/**
 * Checks at-least-once in partition order for topics whose offsets start at 0: a replay after a
 * crash may repeat an offset already seen, never skip ahead of one. Returns, per partition,
 * how many distinct offsets arrived in order (0..n-1).
 */
export function assertInOrderWithReplays(received: Received[]): Map<string, number> {
  const complete = new Map<string, number>();
  for (const [p, offsets] of offsetsByPartition(received)) {
    let next = 0;
    for (const o of offsets) {
      assert.ok(o <= next, `partition ${p}: offset ${o} arrived before ${next}`);
      if (o === next) next++;
    }
    complete.set(p, next);
  }
  return complete;
}

/**
 * Order as promised, with replays allowed: in arrival order, an offset may repeat one already
 * seen but never skip ahead of one not yet seen. Counts the skips.
 */
export function orderViolations(arrivals: Map<string, number[]>): number {
  let violations = 0;
  for (const offsets of arrivals.values()) {
    const distinct = [...new Set(offsets)].sort((a, b) => a - b);
    let next = 0;
    for (const o of offsets) {
      if (o === distinct[next]) next++;
      else if (o > distinct[next]!) violations++;
    }
  }
  return violations;
}
