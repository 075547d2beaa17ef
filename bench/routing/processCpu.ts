import { readdir, readFile } from 'node:fs/promises';
import type pg from 'pg';

// Linux reports process times in clock ticks; 100 per second on every common kernel build.
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far, from /proc; 0 once it is gone. */
export async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces) start at state
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident memory of a process in MiB, from /proc. */
export async function rssMiB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

/** The pid of the local Kafka broker (a shared machine: its CPU includes others' load). */
export async function brokerPid(): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('kafka.Kafka')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/**
 * CPU of the PostgreSQL backends serving this benchmark's database: sampled per backend, so
 * other databases on the same server do not count. A backend that exits between two samples
 * loses its last stretch (the pools keep theirs open while work goes on).
 */
export class DatabaseCpu {
  private readonly pool: pg.Pool;
  private readonly seen = new Map<number, number>();

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  private async backends(): Promise<number[]> {
    const res = await this.pool.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
    );
    return res.rows.map((r) => r.pid);
  }

  async start(): Promise<void> {
    this.seen.clear();
    for (const pid of await this.backends()) this.seen.set(pid, await cpuSeconds(pid));
  }

  /** CPU seconds used by the database's backends since `start`. */
  async since(): Promise<number> {
    let total = 0;
    for (const pid of await this.backends()) {
      const now = await cpuSeconds(pid);
      total += now - (this.seen.get(pid) ?? 0);
    }
    return total;
  }
}
