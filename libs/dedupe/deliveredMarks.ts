import type { Redis } from 'ioredis';
import type { Logger } from '../log/logger.ts';

/** Told of each fallback: events delivered unchecked, or acknowledged events left unmarked. */
export type FallbackListener = (
  kind: 'unchecked' | 'unmarked',
  subscriptionId: string,
  count: number,
) => void;

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
  private readonly onFallback: FallbackListener;

  constructor(
    redis: Redis,
    ttlSeconds: number,
    log: Logger,
    onFallback: FallbackListener = () => undefined,
  ) {
    this.redis = redis;
    this.ttlSeconds = ttlSeconds;
    this.log = log;
    this.onFallback = onFallback;
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
      this.onFallback('unchecked', subscriptionId, eventIds.length);
      return new Set();
    }
  }

  async mark(subscriptionId: string, eventId: string): Promise<void> {
    try {
      await this.redis.set(this.key(subscriptionId, eventId), '1', 'EX', this.ttlSeconds);
    } catch (err) {
      this.log.warn('dedupe mark skipped: redis unavailable', { subscriptionId, err });
      this.onFallback('unmarked', subscriptionId, 1);
    }
  }
}
