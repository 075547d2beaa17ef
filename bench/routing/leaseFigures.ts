/** The lease counters of the delivery workers, summed over several routers. */
export interface LeaseCounters {
  statements: number;
  /** Of them, leases of the run behind a row the worker holds (no walk over the heads). */
  following: number;
  empty: number;
  rows: number;
  seconds: number;
}

/** Reads the lease counters from each router's /metrics (FANOUT_HEALTH_PORT). */
export async function readLeaseCounters(ports: number[]): Promise<LeaseCounters> {
  const out: LeaseCounters = { statements: 0, following: 0, empty: 0, rows: 0, seconds: 0 };
  for (const port of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const value = (pattern: RegExp): number =>
      [...text.matchAll(pattern)].reduce((a, m) => a + Number(m[1]), 0);
    out.statements += value(/^fanout_delivery_lease_statements_total\{[^}]*\} (\S+)$/gm);
    out.following += value(
      /^fanout_delivery_lease_statements_total\{[^}]*kind="following"[^}]*\} (\S+)$/gm,
    );
    out.empty += value(
      /^fanout_delivery_lease_statements_total\{[^}]*result="empty"[^}]*\} (\S+)$/gm,
    );
    out.rows += value(/^fanout_delivery_leased_rows_total(?:\{[^}]*\})? (\S+)$/gm);
    out.seconds += value(/^fanout_delivery_lease_seconds_sum(?:\{[^}]*\})? (\S+)$/gm);
  }
  return out;
}

/** What the lease statements did between two readings. */
export interface LeaseFigures {
  statements: number;
  following: number;
  empty: number;
  rowsPerStatement: number;
  meanMs: number;
}

export function leaseFigures(before: LeaseCounters, after: LeaseCounters): LeaseFigures {
  const statements = after.statements - before.statements;
  return {
    statements,
    following: after.following - before.following,
    empty: after.empty - before.empty,
    rowsPerStatement: statements === 0 ? 0 : (after.rows - before.rows) / statements,
    meanMs: statements === 0 ? 0 : ((after.seconds - before.seconds) * 1000) / statements,
  };
}
