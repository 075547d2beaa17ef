import type pg from 'pg';
import type { FanoutEvent } from '../events/fanoutEvent.ts';

/** What an operator decided for a held event: try it again afresh, or dead-letter it. */
export type ReleaseAction = 'retry' | 'dead-letter';

export interface HeldEvent {
  subscriptionId: string;
  partition: number;
  offset: string;
  eventId: string;
  key: string | null;
  attempts: number;
  lastStatus: number | null;
  lastError: string;
  heldAt: Date;
  releaseAction: ReleaseAction | null;
}

interface Row {
  subscription_id: string;
  partition: number;
  offset: string;
  event_id: string;
  key: string | null;
  attempts: number;
  last_status: number | null;
  last_error: string;
  held_at: Date;
  release_action: ReleaseAction | null;
}

const toHeld = (r: Row): HeldEvent => ({
  subscriptionId: r.subscription_id,
  partition: r.partition,
  offset: r.offset,
  eventId: r.event_id,
  key: r.key,
  attempts: r.attempts,
  lastStatus: r.last_status,
  lastError: r.last_error,
  heldAt: r.held_at,
  releaseAction: r.release_action,
});

/**
 * Records an event whose retries ran out under `onExhausted: hold`; false when it was held
 * already (a restart re-read it), in which case the first record and any release stand.
 */
export async function holdEvent(
  pool: pg.Pool,
  subscriptionId: string,
  event: FanoutEvent,
  reason: { attempts: number; status: number | null; error: string },
): Promise<boolean> {
  const res = await pool.query(
    `INSERT INTO held_events (subscription_id, partition, "offset", event_id, key, attempts,
       last_status, last_error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (subscription_id, partition, "offset") DO NOTHING`,
    [
      subscriptionId,
      event.partition,
      event.offset,
      event.id,
      event.key,
      reason.attempts,
      reason.status,
      reason.error,
    ],
  );
  return res.rowCount === 1;
}

/**
 * The operator's decision on a held event, taken: the row is deleted in the same statement, so
 * exactly one bridge acts on it. Undefined while no decision was made.
 */
export async function takeRelease(
  pool: pg.Pool,
  subscriptionId: string,
  event: FanoutEvent,
): Promise<ReleaseAction | undefined> {
  const res = await pool.query<{ release_action: ReleaseAction }>(
    `DELETE FROM held_events
     WHERE subscription_id = $1 AND partition = $2 AND "offset" = $3
       AND release_action IS NOT NULL
     RETURNING release_action`,
    [subscriptionId, event.partition, event.offset],
  );
  return res.rows[0]?.release_action;
}

export async function listHeldEvents(
  pool: pg.Pool,
  subscriptionId: string,
  limit: number,
): Promise<{ total: number; items: HeldEvent[] }> {
  const [count, rows] = await Promise.all([
    pool.query<{ n: string }>('SELECT count(*) AS n FROM held_events WHERE subscription_id = $1', [
      subscriptionId,
    ]),
    pool.query<Row>(
      `SELECT subscription_id, partition, "offset", event_id, key, attempts, last_status,
         last_error, held_at, release_action
       FROM held_events WHERE subscription_id = $1 ORDER BY partition, "offset" LIMIT $2`,
      [subscriptionId, limit],
    ),
  ]);
  return { total: Number(count.rows[0]!.n), items: rows.rows.map(toHeld) };
}

/**
 * Asks for held events to be released (all of them, or those with the given event ids): the
 * bridge holding one takes the decision, or in write fan-out the router's sweeper; answers how
 * many were released.
 */
export async function releaseHeldEvents(
  pool: pg.Pool,
  subscriptionId: string,
  eventIds: string[] | null,
  action: ReleaseAction,
): Promise<number> {
  const res = await pool.query(
    `UPDATE held_events SET release_action = $2, released_at = now()
     WHERE subscription_id = $1 AND release_action IS NULL
       AND ($3::text[] IS NULL OR event_id = ANY($3::text[]))`,
    [subscriptionId, action, eventIds],
  );
  return res.rowCount ?? 0;
}
