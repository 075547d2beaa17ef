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

// How long a mark waits for others to share its command. A crash inside it loses the marks,
// which costs at most a duplicate on replay, as a crash before any mark would.
const MARK_WINDOW_MS = 2;

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
   * Marks an event delivered. Marks asked for within `MARK_WINDOW_MS` go to Redis as one
   * scripted command per subscription: at thousands of acknowledgements a second, a command
   * (and a socket write) per mark was a tenth of the bridge's CPU. The promise settles once the
   * mark is written or given up (commits wait for it); it never rejects.
   */
  mark(subscriptionId: string, eventId: string): Promise<void> {
    let batch = this.pending.get(subscriptionId);
    if (batch === undefined) {
      const keys: string[] = [];
      batch = {
        keys,
        done: new Promise<void>((resolve) =>
          setTimeout(() => {
            this.pending.delete(subscriptionId);
            void this.send(subscriptionId, keys).then(resolve);
          }, MARK_WINDOW_MS),
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
