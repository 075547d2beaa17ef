import type pg from 'pg';

/**
 * How many statements have changed each registry table (see migration 0015). Pollers read this
 * one row before a full read and skip the full read while the table's counter has not moved.
 * A counter is null when its row is missing (a hand-edited database): nothing can then be known
 * unchanged, and pollers read in full every time, as they did before the counters.
 */
export interface RegistryVersion {
  subscriptions: string | null;
  topicRoutes: string | null;
}

export async function readRegistryVersion(pool: pg.Pool): Promise<RegistryVersion> {
  // bigint comes back as text: compared as such, never overflowing a number
  const res = await pool.query<{ subscriptions: string; topic_routes: string }>(
    'SELECT subscriptions, topic_routes FROM registry_versions',
  );
  const row = res.rows[0];
  return {
    subscriptions: row?.subscriptions ?? null,
    topicRoutes: row?.topic_routes ?? null,
  };
}

/** True when a table is known not to have changed since the full read made at `seen`. */
export function unchangedSince(seen: string | null | undefined, now: string | null): boolean {
  return now !== null && seen === now;
}
