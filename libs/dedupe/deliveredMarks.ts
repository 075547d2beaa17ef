import type { Redis } from 'ioredis';
import type { Logger } from '../log/logger.ts';

/** Told of each fallback: events delivered unchecked, or acknowledged events left unmarked. */
export type FallbackListener = (
  kind: 'unchecked' | 'unmarked',
  subscriptionId: string,
  count: number,
) => void;

// Sets every key given with the TTL in ARGV[1]: one command for many marks.
const MARK_MANY = `for i = 1, #KEYS do redis.call('SET', KEYS[i], '1', 'EX', ARGV[1]) end return #KEYS`;

interface PendingMarks {
  keys: string[];
  done: Promise<void>;
}

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
  // marks asked for in this turn of the event loop, per subscription, sent together after it
  private readonly pending = new Map<string, PendingMarks>();

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

  /**
   * Marks an event delivered. Marks asked for in one turn of the event loop (a batch's events,
   * answers that came in together) go to Redis as one scripted command per subscription: a
   * command per mark was a tenth of a batching bridge's CPU. The promise settles once the mark
   * is written or given up (commits wait for it); it never rejects.
   */
  mark(subscriptionId: string, eventId: string): Promise<void> {
    let batch = this.pending.get(subscriptionId);
    if (batch === undefined) {
      const keys: string[] = [];
      batch = {
        keys,
        done: new Promise<void>((resolve) =>
          setImmediate(() => {
            this.pending.delete(subscriptionId);
            void this.send(subscriptionId, keys).then(resolve);
          }),
        ),
      };
      this.pending.set(subscriptionId, batch);
    }
    batch.keys.push(this.key(subscriptionId, eventId));
    return batch.done;
  }

  private async send(subscriptionId: string, keys: string[]): Promise<void> {
    try {
      await this.redis.eval(MARK_MANY, keys.length, ...keys, this.ttlSeconds);
    } catch (err) {
      this.log.warn('dedupe mark skipped: redis unavailable', { subscriptionId, err });
      this.onFallback('unmarked', subscriptionId, keys.length);
    }
  }
}
