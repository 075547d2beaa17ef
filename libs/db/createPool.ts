import pg from 'pg';
import type { Logger } from '../log/logger.ts';

export type Pool = pg.Pool;

export function createPool(databaseUrl: string, log: Logger, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5000 });
  // An idle client losing its connection (e.g. a PostgreSQL restart) must not crash the process.
  pool.on('error', (err) => log.warn('postgres idle client error', { err }));
  return pool;
}
