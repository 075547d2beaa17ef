import type pg from 'pg';
import type { PartitionOffsets } from '../kafka/topicAdmin.ts';
import type { RouteMode } from './routingDecision.ts';

export type RouteState = 'read' | 'to_write' | 'write' | 'to_read';

export interface TopicRoute {
  topic: string;
  state: RouteState;
  pinned: RouteMode | null;
  reason: string;
  switchOffsets: PartitionOffsets | null;
  activeSubscriptions: number | null;
  eventsPerSecond: number | null;
  stateSince: Date;
}

interface Row {
  topic: string;
  state: RouteState;
  pinned: RouteMode | null;
  reason: string;
  switch_offsets: PartitionOffsets | null;
  active_subscriptions: number | null;
  events_per_second: number | null;
  state_since: Date;
}

const toRoute = (r: Row): TopicRoute => ({
  topic: r.topic,
  state: r.state,
  pinned: r.pinned,
  reason: r.reason,
  switchOffsets: r.switch_offsets,
  activeSubscriptions: r.active_subscriptions,
  eventsPerSecond: r.events_per_second,
  stateSince: r.state_since,
});

const COLUMNS = `topic, state, pinned, reason, switch_offsets, active_subscriptions,
  events_per_second, state_since`;

/** The route of a topic; a topic never routed is in read fan-out. */
export function defaultRoute(topic: string): TopicRoute {
  return {
    topic,
    state: 'read',
    pinned: null,
    reason: 'not evaluated yet',
    switchOffsets: null,
    activeSubscriptions: null,
    eventsPerSecond: null,
    stateSince: new Date(0),
  };
}

export async function findRoute(pool: pg.Pool | pg.PoolClient, topic: string): Promise<TopicRoute> {
  const res = await pool.query<Row>(`SELECT ${COLUMNS} FROM topic_routes WHERE topic = $1`, [
    topic,
  ]);
  return res.rows[0] === undefined ? defaultRoute(topic) : toRoute(res.rows[0]);
}

/** Every registered topic's route, routed or not. */
export async function listRoutes(pool: pg.Pool): Promise<TopicRoute[]> {
  const res = await pool.query<Row>(
    `SELECT t.name AS topic, COALESCE(r.state, 'read') AS state, r.pinned,
       COALESCE(r.reason, 'not evaluated yet') AS reason, r.switch_offsets,
       r.active_subscriptions, r.events_per_second,
       COALESCE(r.state_since, t.created_at) AS state_since
     FROM topics t LEFT JOIN topic_routes r ON r.topic = t.name ORDER BY t.name`,
  );
  return res.rows.map(toRoute);
}

/** Topics whose subscriptions bridges must not run (every state but 'read'). */
export async function topicsOutOfReadFanout(pool: pg.Pool): Promise<Set<string>> {
  const res = await pool.query<{ topic: string }>(
    `SELECT topic FROM topic_routes WHERE state <> 'read'`,
  );
  return new Set(res.rows.map((r) => r.topic));
}

/** Topics whose events the router delivers from rows ('write', and 'to_read' until it hands back). */
export async function topicsDeliveredFromRows(pool: pg.Pool): Promise<Set<string>> {
  const res = await pool.query<{ topic: string }>(
    `SELECT topic FROM topic_routes WHERE state IN ('write', 'to_read')`,
  );
  return new Set(res.rows.map((r) => r.topic));
}

/** An operator pins a topic to a mode, or (null) lets the decision choose again. */
export async function pinRoute(
  pool: pg.Pool,
  topic: string,
  pinned: RouteMode | null,
): Promise<void> {
  await pool.query(
    `INSERT INTO topic_routes (topic, pinned, reason) VALUES ($1, $2, 'pinned, not applied yet')
     ON CONFLICT (topic) DO UPDATE SET pinned = EXCLUDED.pinned, updated_at = now()`,
    [topic, pinned],
  );
}

/** Records the figures and reason of the latest decision, whatever the state. */
export async function recordDecision(
  pool: pg.Pool,
  topic: string,
  figures: { subscriptions: number; eventsPerSecond: number | null; reason: string },
): Promise<void> {
  await pool.query(
    `INSERT INTO topic_routes (topic, reason, active_subscriptions, events_per_second)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (topic) DO UPDATE SET reason = EXCLUDED.reason,
       active_subscriptions = EXCLUDED.active_subscriptions,
       events_per_second = EXCLUDED.events_per_second, updated_at = now()`,
    [topic, figures.reason, figures.subscriptions, figures.eventsPerSecond],
  );
}

/**
 * Moves a topic from one state to the next, only if it is still in `from` (a second router
 * process deciding at the same time changes nothing). Runs on the caller's client so it can be
 * part of a transaction.
 */
export async function transitionRoute(
  client: pg.Pool | pg.PoolClient,
  topic: string,
  from: RouteState,
  to: RouteState,
  switchOffsets: PartitionOffsets | null = null,
): Promise<boolean> {
  const res = await client.query(
    `UPDATE topic_routes SET state = $3, switch_offsets = $4, state_since = now(), updated_at = now()
     WHERE topic = $1 AND state = $2`,
    [topic, from, to, switchOffsets === null ? null : JSON.stringify(switchOffsets)],
  );
  return res.rowCount === 1;
}
