import type pg from 'pg';

/** What a subscription has parked outside Kafka's offsets, as PostgreSQL records it. */
export interface Backlog {
  /** Events attempted at least once and waiting for their next retry. */
  retrying: number;
  /** Events whose retries ran out, held for an operator to release. */
  held: number;
  /** Dead letters kept for replay or discard (not yet replayed or discarded). */
  deadLetters: number;
}

export const NO_BACKLOG: Backlog = { retrying: 0, held: 0, deadLetters: 0 };

/** Every subscription's backlog in one round trip. */
export async function readBacklogs(pool: pg.Pool): Promise<Map<string, Backlog>> {
  const res = await pool.query<{ id: string; kind: keyof Backlog; n: string }>(
    `SELECT subscription_id::text AS id, 'retrying' AS kind, count(*) AS n FROM retry_state GROUP BY 1
     UNION ALL
     SELECT subscription_id::text, 'held', count(*) FROM held_events WHERE released_at IS NULL GROUP BY 1
     UNION ALL
     SELECT subscription_id::text, 'deadLetters', count(*) FROM dead_letters
       WHERE status IN ('dead', 'replay_requested', 'replaying') GROUP BY 1`,
  );
  const out = new Map<string, Backlog>();
  for (const row of res.rows) {
    const b = out.get(row.id) ?? { ...NO_BACKLOG };
    b[row.kind] = Number(row.n);
    out.set(row.id, b);
  }
  return out;
}
