import assert from 'node:assert/strict';
import type { Received } from './webhookSink.ts';

/** A request header as a string; undefined when it was not sent. */
export function headerOf(r: Received, name: string): string | undefined {
  const v = r.headers[name];
  return v === undefined ? undefined : String(v);
}

/** The filter the sequence tests subscribe with: only events whose payload type is `keep`. */
export const KEEP_FILTER = { field: 'payload.type', eq: 'keep' };

/** Events n = from … to − 1 over 4 keys; every third is of a type `KEEP_FILTER` leaves out. */
export function keepOrSkipEvents(
  from: number,
  to: number,
): { key: string; payload: { n: number; type: string } }[] {
  const events = [];
  for (let n = from; n < to; n++) {
    events.push({ key: `k${n % 4}`, payload: { n, type: n % 3 === 2 ? 'skip' : 'keep' } });
  }
  return events;
}

/** How many of the events n < upTo `KEEP_FILTER` lets through. */
export const keptBelow = (upTo: number): number =>
  [...Array(upTo).keys()].filter((n) => n % 3 !== 2).length;

/**
 * Asserts that each partition's acknowledged deliveries, in the order they came, carry
 * fanout-seq 1, 2, 3… and a fanout-prev-id naming the one before; answers them by partition.
 * `where` names a delivery in a failure message.
 */
export function assertSequenceChains(
  acknowledged: Received[],
  where: (r: Received) => string = () => '',
): Map<string, Received[]> {
  const byPartition = new Map<string, Received[]>();
  for (const r of acknowledged) {
    const p = headerOf(r, 'fanout-partition')!;
    byPartition.set(p, [...(byPartition.get(p) ?? []), r]);
  }
  for (const [p, received] of byPartition) {
    received.forEach((r, i) => {
      const at = `partition ${p}, delivery ${i} ${where(r)}`;
      assert.equal(headerOf(r, 'fanout-seq'), String(i + 1), `${at}: seq without gaps`);
      const prev = i === 0 ? undefined : headerOf(received[i - 1]!, 'webhook-id');
      assert.equal(headerOf(r, 'fanout-prev-id'), prev, `${at}: prev-id chain`);
    });
  }
  return byPartition;
}
