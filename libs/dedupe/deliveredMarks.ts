import type { Redis } from 'ioredis';
import type { Logger } from '../log/logger.ts';

/**
 * Marks in Redis of events already acknowledged by a subscription's endpoint, so that a replay
 * after a crash or a rebalance is not pushed twice. Redis is an optimisation of the
 * at-least-once guarantee, never a gate on it: when Redis does not answer, the event is
 * delivered anyway (a possible duplicate) and the fallback is logged.
 */
export class DeliveredMarks {
  private readonly redis: Redis;
  private readonly ttlSeconds: number;
  private readonly log: Logger;

  constructor(redis: Redis, ttlSeconds: number, log: Logger) {
    this.redis = redis;
    this.ttlSeconds = ttlSeconds;
    this.log = log;
  }

  private key(subscriptionId: string, eventId: string): string {
    return `fanout:delivered:${subscriptionId}:${eventId}`;
  }

  /** The ids among `eventIds` already delivered to this subscription, in one round trip. */
  async delivered(subscriptionId: string, eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    try {
      const values = await this.redis.mget(eventIds.map((id) => this.key(subscriptionId, id)));
      const out = new Set<string>();
      values.forEach((v, i) => {
        if (v !== null) out.add(eventIds[i]!);
      });
      return out;
    } catch (err) {
      this.log.warn('dedupe check skipped: redis unavailable', { subscriptionId, err });
      return new Set();
    }
  }

  async mark(subscriptionId: string, eventId: string): Promise<void> {
    try {
      await this.redis.set(this.key(subscriptionId, eventId), '1', 'EX', this.ttlSeconds);
    } catch (err) {
      this.log.warn('dedupe mark skipped: redis unavailable', { subscriptionId, err });
    }
  }
}
