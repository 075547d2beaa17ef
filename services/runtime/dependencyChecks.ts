import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { TopicAdmin } from '../../libs/kafka/topicAdmin.ts';

const CHECK_TIMEOUT_MS = 2000;

export interface DependencyReport {
  ready: boolean;
  checks: Record<string, string>;
  failed: string[];
}

/** Asks Kafka, PostgreSQL and Redis at once, each within a bound, and names any that did not answer. */
export async function checkDependencies(deps: {
  admin: TopicAdmin;
  pool: pg.Pool;
  redis: Redis;
}): Promise<DependencyReport> {
  const checks: Record<string, () => Promise<unknown>> = {
    kafka: () => deps.admin.ping(),
    postgres: () => deps.pool.query('SELECT 1'),
    redis: () => deps.redis.ping(),
  };
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), CHECK_TIMEOUT_MS);
        return [name, 'ok'] as const;
      } catch (err) {
        return [name, `failed: ${(err as Error).message}`] as const;
      }
    }),
  );
  const failed = results.filter(([, r]) => r !== 'ok').map(([n]) => n);
  return { ready: failed.length === 0, checks: Object.fromEntries(results), failed };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
