import type pg from 'pg';
import type { RetryPolicy } from '../delivery/retryPolicy.ts';
import type { OrderingMode } from '../delivery/orderedLane.ts';
import type { Filter } from '../filter/eventFilter.ts';
import type {
  DeliverySettings,
  OnExhausted,
  EventFormat,
  StartFrom,
  Subscription,
  SubscriptionState,
} from './types.ts';

interface SubscriptionRow {
  id: string;
  topic: string;
  endpoint: string;
  secret: string | null;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  start_from: StartFrom;
  start_offsets: Record<string, string>;
  state: SubscriptionState;
  disabled_reason: string | null;
  retry_initial_ms: number;
  retry_max_ms: number;
  retry_multiplier: number;
  max_attempts: number | null;
  max_age_ms: string | null;
  timeout_ms: number;
  ordering: OrderingMode;
  max_in_flight: number;
  on_exhausted: OnExhausted;
  rate_limit_per_second: number | null;
  batch_max_events: number | null;
  batch_max_wait_ms: number | null;
  filter: Filter | null;
  replay_until: Record<string, string>;
  replay_redeliver: boolean;
  cloud_events: EventFormat['cloudEvents'];
  payload_format: EventFormat['payload'];
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, topic, endpoint, secret, previous_secret, previous_secret_expires_at, start_from, start_offsets, state, disabled_reason,
  retry_initial_ms, retry_max_ms, retry_multiplier, max_attempts, max_age_ms, timeout_ms,
  ordering, max_in_flight, on_exhausted, rate_limit_per_second, batch_max_events, batch_max_wait_ms,
  filter, replay_until, replay_redeliver, cloud_events, payload_format, created_at, updated_at`;

const toSubscription = (r: SubscriptionRow): Subscription => ({
  id: r.id,
  topic: r.topic,
  endpoint: r.endpoint,
  secret: r.secret,
  previousSecret:
    r.previous_secret === null || r.previous_secret_expires_at === null
      ? null
      : { secret: r.previous_secret, expiresAt: r.previous_secret_expires_at },
  startFrom: r.start_from,
  startOffsets: r.start_offsets,
  state: r.state,
  disabledReason: r.disabled_reason,
  retry: {
    initialMs: r.retry_initial_ms,
    maxMs: r.retry_max_ms,
    multiplier: r.retry_multiplier,
    maxAttempts: r.max_attempts,
    maxAgeMs: r.max_age_ms === null ? null : Number(r.max_age_ms),
    timeoutMs: r.timeout_ms,
  },
  delivery: {
    ordering: r.ordering,
    maxInFlight: r.max_in_flight,
    onExhausted: r.on_exhausted,
    rateLimitPerSecond: r.rate_limit_per_second,
    batch:
      r.batch_max_events === null
        ? null
        : { maxEvents: r.batch_max_events, maxWaitMs: r.batch_max_wait_ms ?? 0 },
  },
  filter: r.filter,
  replay: { until: r.replay_until, redeliver: r.replay_redeliver },
  format: { cloudEvents: r.cloud_events, payload: r.payload_format },
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
  retry: RetryPolicy;
  delivery: DeliverySettings;
  filter: Filter | null;
  format: EventFormat;
}

export async function insertSubscription(
  pool: pg.Pool,
  sub: NewSubscription,
): Promise<Subscription> {
  const res = await pool.query<SubscriptionRow>(
    `INSERT INTO subscriptions (id, topic, endpoint, secret, start_from, start_offsets,
       retry_initial_ms, retry_max_ms, retry_multiplier, max_attempts, max_age_ms, timeout_ms,
       ordering, max_in_flight, filter, on_exhausted, rate_limit_per_second, batch_max_events,
       batch_max_wait_ms, cloud_events, payload_format)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
       $20, $21)
     RETURNING ${COLUMNS}`,
    [
      sub.id,
      sub.topic,
      sub.endpoint,
      sub.secret,
      sub.startFrom,
      JSON.stringify(sub.startOffsets),
      ...retryValues(sub.retry),
      sub.delivery.ordering,
      sub.delivery.maxInFlight,
      sub.filter === null ? null : JSON.stringify(sub.filter),
      ...deliveryExtras(sub.delivery),
      sub.format.cloudEvents,
      sub.format.payload,
    ],
  );
  return toSubscription(res.rows[0]!);
}

export interface SubscriptionChanges {
  endpoint?: string;
  retry?: RetryPolicy;
  delivery?: DeliverySettings;
  /** null removes the filter; undefined keeps it. */
  filter?: Filter | null;
  format?: EventFormat;
  /** Only `active` (re-enable) is accepted from the API; `disabled` comes from a 410. */
  state?: 'active';
}

/** Applies a PATCH; undefined when there is no live subscription with that id. */
export async function updateSubscription(
  pool: pg.Pool,
  id: string,
  changes: SubscriptionChanges,
): Promise<Subscription | undefined> {
  const current = await findSubscription(pool, id);
  if (current === undefined) return undefined;
  const retry = changes.retry ?? current.retry;
  const delivery = changes.delivery ?? current.delivery;
  const filter = changes.filter === undefined ? current.filter : changes.filter;
  const format = changes.format ?? current.format;
  const reEnable = changes.state === 'active';
  const res = await pool.query<SubscriptionRow>(
    `UPDATE subscriptions SET endpoint = $2,
       retry_initial_ms = $3, retry_max_ms = $4, retry_multiplier = $5, max_attempts = $6,
       max_age_ms = $7, timeout_ms = $8, ordering = $10, max_in_flight = $11, filter = $12,
       on_exhausted = $13, rate_limit_per_second = $14, batch_max_events = $15,
       batch_max_wait_ms = $16,
       cloud_events = $17, payload_format = $18,
       state = CASE WHEN $9 THEN 'active' ELSE state END,
       disabled_reason = CASE WHEN $9 THEN NULL ELSE disabled_reason END,
       updated_at = now()
     WHERE id = $1 AND state <> 'deleted' RETURNING ${COLUMNS}`,
    [
      id,
      changes.endpoint ?? current.endpoint,
      ...retryValues(retry),
      reEnable,
      delivery.ordering,
      delivery.maxInFlight,
      filter === null ? null : JSON.stringify(filter),
      ...deliveryExtras(delivery),
      format.cloudEvents,
      format.payload,
    ],
  );
  return res.rows[0] === undefined ? undefined : toSubscription(res.rows[0]);
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

/** Live subscriptions (active or disabled), optionally of one topic, oldest first. */
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

/**
 * Replaces the signing secret; the old one keeps signing (a second signature) for `overlapMs`
 * so receivers can switch without rejecting anything.
 */
export async function rotateSecret(
  pool: pg.Pool,
  id: string,
  secret: string,
  overlapMs: number,
): Promise<Subscription | undefined> {
  const res = await pool.query<SubscriptionRow>(
    `UPDATE subscriptions SET previous_secret = secret,
       previous_secret_expires_at = CASE WHEN secret IS NULL THEN NULL
         ELSE now() + make_interval(secs => $3::double precision / 1000) END,
       secret = $2, updated_at = now()
     WHERE id = $1 AND state <> 'deleted' RETURNING ${COLUMNS}`,
    [id, secret, overlapMs],
  );
  return res.rows[0] === undefined ? undefined : toSubscription(res.rows[0]);
}

/** Records the circuit opening ('failing') or closing ('active'); an operator's pause wins. */
export async function setCircuitState(pool: pg.Pool, id: string, open: boolean): Promise<void> {
  await pool.query(
    `UPDATE subscriptions SET state = $2, updated_at = now() WHERE id = $1 AND state = $3`,
    [id, open ? 'failing' : 'active', open ? 'active' : 'failing'],
  );
}

/** An operator's pause (from active or failing) or resume (from paused or disabled). */
export async function setPaused(
  pool: pg.Pool,
  id: string,
  paused: boolean,
): Promise<Subscription | undefined> {
  await pool.query(
    paused
      ? `UPDATE subscriptions SET state = 'paused', updated_at = now()
         WHERE id = $1 AND state IN ('active', 'failing')`
      : `UPDATE subscriptions SET state = 'active', disabled_reason = NULL, updated_at = now()
         WHERE id = $1 AND state IN ('paused', 'disabled')`,
    [id],
  );
  return findSubscription(pool, id);
}

export async function setReplayWindow(
  pool: pg.Pool,
  id: string,
  until: Record<string, string>,
  redeliver: boolean,
): Promise<void> {
  await pool.query(
    `UPDATE subscriptions SET replay_until = $2, replay_redeliver = $3, updated_at = now()
     WHERE id = $1`,
    [id, JSON.stringify(until), redeliver],
  );
}

/** Stops deliveries to a subscription until an operator re-enables it (e.g. after a 410 Gone). */
export async function disableSubscription(
  pool: pg.Pool,
  id: string,
  reason: string,
): Promise<void> {
  await pool.query(
    `UPDATE subscriptions SET state = 'disabled', disabled_reason = $2, updated_at = now()
     WHERE id = $1 AND state IN ('active', 'failing')`,
    [id, reason],
  );
}

function retryValues(r: RetryPolicy): unknown[] {
  return [r.initialMs, r.maxMs, r.multiplier, r.maxAttempts, r.maxAgeMs, r.timeoutMs];
}

function deliveryExtras(
  d: DeliverySettings,
): [string, number | null, number | null, number | null] {
  return [
    d.onExhausted,
    d.rateLimitPerSecond,
    d.batch?.maxEvents ?? null,
    d.batch?.maxWaitMs ?? null,
  ];
}
