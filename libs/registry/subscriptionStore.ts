import type pg from 'pg';
import type { StartFrom, Subscription, SubscriptionState } from './types.ts';

interface SubscriptionRow {
  id: string;
  topic: string;
  endpoint: string;
  secret: string | null;
  start_from: StartFrom;
  start_offsets: Record<string, string>;
  state: SubscriptionState;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, topic, endpoint, secret, start_from, start_offsets, state, created_at, updated_at';

const toSubscription = (r: SubscriptionRow): Subscription => ({
  id: r.id,
  topic: r.topic,
  endpoint: r.endpoint,
  secret: r.secret,
  startFrom: r.start_from,
  startOffsets: r.start_offsets,
  state: r.state,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface NewSubscription {
  id: string;
  topic: string;
  endpoint: string;
  secret: string | null;
  startFrom: StartFrom;
  startOffsets: Record<string, string>;
}

export async function insertSubscription(
  pool: pg.Pool,
  sub: NewSubscription,
): Promise<Subscription> {
  const res = await pool.query<SubscriptionRow>(
    `INSERT INTO subscriptions (id, topic, endpoint, secret, start_from, start_offsets)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [sub.id, sub.topic, sub.endpoint, sub.secret, sub.startFrom, JSON.stringify(sub.startOffsets)],
  );
  return toSubscription(res.rows[0]!);
}

export async function findSubscription(
  pool: pg.Pool,
  id: string,
): Promise<Subscription | undefined> {
  const res = await pool.query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM subscriptions WHERE id = $1 AND state <> 'deleted'`,
    [id],
  );
  return res.rows[0] === undefined ? undefined : toSubscription(res.rows[0]);
}

/** Live subscriptions, optionally of one topic, oldest first. */
export async function listSubscriptions(pool: pg.Pool, topic?: string): Promise<Subscription[]> {
  const res = await pool.query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM subscriptions
     WHERE state <> 'deleted' AND ($1::text IS NULL OR topic = $1)
     ORDER BY created_at, id`,
    [topic ?? null],
  );
  return res.rows.map(toSubscription);
}

/** Marks a subscription deleted; returns false when there was no live one with that id. */
export async function deleteSubscription(pool: pg.Pool, id: string): Promise<boolean> {
  const res = await pool.query(
    `UPDATE subscriptions SET state = 'deleted', deleted_at = now(), updated_at = now()
     WHERE id = $1 AND state <> 'deleted'`,
    [id],
  );
  return res.rowCount === 1;
}
