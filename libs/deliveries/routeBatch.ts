import type pg from 'pg';
import type { FanoutEvent } from '../events/fanoutEvent.ts';
import { compileFilter, type Filter } from '../filter/eventFilter.ts';
import { PartitionSequence, type SequencePoint } from '../sequence/partitionSequence.ts';
import { loadSequenceStarts, saveSequencePoints } from '../sequence/sequencePointStore.ts';
import { insertDeliveries, type NewDelivery } from './insertDeliveries.ts';
import { rowTargets } from './writeFloors.ts';

export type RouteBatchResult =
  /** The topic is not in write fan-out (any more): nothing written, nothing to commit. */
  | { kind: 'not_routed' }
  /** Rows written for every event; commit `nextOffset`. */
  | { kind: 'routed'; rows: number; nextOffset: string }
  /** The topic is leaving write fan-out: rows written below the switch offset; stop there. */
  | { kind: 'stopped'; rows: number; nextOffset: string };

const filters = new Map<string, (e: FanoutEvent) => boolean>();

function matcherOf(filter: unknown): (e: FanoutEvent) => boolean {
  const key = JSON.stringify(filter);
  let m = filters.get(key);
  if (m === undefined) {
    m = compileFilter(filter as Filter | null);
    if (filters.size > 10_000) filters.clear();
    filters.set(key, m);
  }
  return m;
}

/**
 * Turns one fetched batch of a partition into delivery rows, in one transaction: a row per
 * (event, subscription whose filter matches, at or above the subscription's floor).
 *
 * The transaction reads the topic's route FOR SHARE, so a switch out of write fan-out (which
 * takes the route FOR UPDATE and records the switch offsets from the log's end) either sees
 * this batch's rows or this batch sees the switch: the router can never write rows at or above
 * a switch offset, so nothing is delivered twice or skipped by the bridges that follow.
 */
export async function routeBatch(
  pool: pg.Pool,
  topic: string,
  partition: number,
  events: FanoutEvent[],
): Promise<RouteBatchResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const route = await client.query<{ state: string; switch_offsets: Record<string, string> }>(
      'SELECT state, switch_offsets FROM topic_routes WHERE topic = $1 FOR SHARE',
      [topic],
    );
    const state = route.rows[0]?.state;
    if (state !== 'write' && state !== 'to_read') {
      await client.query('ROLLBACK');
      return { kind: 'not_routed' };
    }
    const stopAt =
      state === 'to_read' ? BigInt(route.rows[0]!.switch_offsets[String(partition)] ?? '0') : null;
    const inRange = stopAt === null ? events : events.filter((e) => BigInt(e.offset) < stopAt);
    const targets = (await rowTargets(client, topic)).map((t) => ({
      id: t.id,
      floor: BigInt(t.floors[String(partition)] ?? '0'),
      wants: matcherOf(t.filter),
    }));
    const last = BigInt(events[events.length - 1]!.offset) + 1n;
    const end = stopAt !== null && stopAt < last ? stopAt : last;
    // each subscription sees the batch from its floor up, numbered as its bridge would
    const seen = targets
      .map((t) => ({ t, events: inRange.filter((e) => BigInt(e.offset) >= t.floor) }))
      .filter((s) => s.events.length > 0);
    const starts = await loadSequenceStarts(
      client,
      partition,
      seen.map((s) => ({ subscriptionId: s.t.id, firstOffset: s.events[0]!.offset })),
    );
    const rows: NewDelivery[] = [];
    const points: { subscriptionId: string; point: SequencePoint }[] = [];
    for (const { t, events: mine } of seen) {
      const sequence = new PartitionSequence(starts.get(t.id)!);
      sequence.observe(mine, t.wants);
      for (const event of mine) {
        const mark = sequence.markOf(event);
        if (mark !== undefined) rows.push({ event, subscriptionId: t.id, mark });
      }
      const point = sequence.pointAt(end.toString());
      if (point !== undefined) points.push({ subscriptionId: t.id, point });
    }
    const inserted = rows.length === 0 ? 0 : await insertDeliveries(client, rows);
    await saveSequencePoints(client, partition, points);
    await client.query('COMMIT');
    if (stopAt !== null && last >= stopAt) {
      return { kind: 'stopped', rows: inserted, nextOffset: stopAt.toString() };
    }
    return { kind: 'routed', rows: inserted, nextOffset: last.toString() };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
