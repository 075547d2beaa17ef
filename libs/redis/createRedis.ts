import { Redis } from 'ioredis';
import type { Logger } from '../log/logger.ts';

/**
 * A Redis client that fails commands fast while Redis is down instead of queueing them
 * without bound: the dedupe fallback must kick in quickly, not after minutes.
 */
export function createRedis(url: string, log: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    commandTimeout: 2000,
    lazyConnect: false,
    // commands issued in the same tick (a dedupe mark per acknowledged event) share one write
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let lastError = '';
  redis.on('error', (err: Error) => {
    // the client retries on its own; log each distinct error once rather than every retry
    if (err.message !== lastError) log.warn('redis connection error', { err });
    lastError = err.message;
  });
  redis.on('ready', () => {
    lastError = '';
  });
  return redis;
}

/**
 * Waits briefly for the first connection. Redis being down must not stop a service from
 * starting (dedupe falls back), so this only reports whether it is ready.
 */
export async function redisReady(redis: Redis, timeoutMs = 3000): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}
