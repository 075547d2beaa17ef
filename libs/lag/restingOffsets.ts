import type { TopicBounds } from '../kafka/manyTopicBounds.ts';
import type { LagSample } from './evaluateLag.ts';

/**
 * The committed offsets of a group that has nothing to read, carried over from its last
 * sample instead of asked again: every partition's log end is where it was then, and the group
 * was at that end (or never committed on a partition that holds no record). Such a group's
 * offsets move only when records arrive (the end moves, and it is asked again) or when they
 * are set from outside — a seek, which changes the subscription, or Kafka's own tools, which
 * need the group without members and are seen at the next full read. Undefined: ask Kafka.
 */
export function restingCommitted(
  last: LagSample | undefined,
  bounds: TopicBounds,
): Record<string, string> | undefined {
  if (last === undefined) return undefined;
  const ends = Object.entries(bounds.high);
  if (ends.length !== last.partitions.size) return undefined;
  const out: Record<string, string> = {};
  for (const [p, end] of ends) {
    const s = last.partitions.get(Number(p));
    if (s === undefined || s.end !== BigInt(end)) return undefined;
    if (s.committed === null) {
      if (s.low !== s.end || String(s.low) !== bounds.low[p]) return undefined;
    } else if (s.committed !== s.end) return undefined;
    else out[p] = end;
  }
  return out;
}
