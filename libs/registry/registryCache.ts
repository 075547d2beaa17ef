import type pg from 'pg';
import { readRegistryVersion, unchangedSince, type RegistryVersion } from './registryVersion.ts';

/**
 * The result of a registry read, read again only when its table's counter moved (see
 * registryVersion.ts): the pollers of every process — bridge, router, lag monitor — ask every
 * few seconds, and with 10,000 subscriptions the full reads were most of their idle cost.
 * While nothing changed `get` answers the same object, so callers can tell "unchanged" by
 * identity. The counter is read before the table, so a change committed during the read moves
 * it past the value kept and is read next time.
 */
export class RegistryCache<T> {
  private readonly pool: pg.Pool;
  private readonly table: keyof RegistryVersion;
  private readonly read: (pool: pg.Pool) => Promise<T>;
  private last: { at: string | null; value: T } | undefined;

  constructor(pool: pg.Pool, table: keyof RegistryVersion, read: (pool: pg.Pool) => Promise<T>) {
    this.pool = pool;
    this.table = table;
    this.read = read;
  }

  /** `version`: the counters when the caller already read them (one read for several caches). */
  async get(version?: RegistryVersion): Promise<T> {
    const now = (version ?? (await readRegistryVersion(this.pool)))[this.table];
    if (this.last !== undefined && unchangedSince(this.last.at, now)) return this.last.value;
    const value = await this.read(this.pool);
    this.last = { at: now, value };
    return value;
  }
}
