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
  private readonly gatherMs: number;
  // marks asked for and not yet sent, per subscription: they go together
  private readonly pending = new Map<string, PendingMarks>();
  // keys of marks asked for and not yet written (gathering or on their way), with how many
  // times each: an event acknowledged a moment ago is delivered, whether or not Redis has it yet
  private readonly writing = new Map<string, number>();

  /**
   * `gatherMs`: how long a mark waits for others to share its command. 0 sends after the
   * current turn of the event loop; callers that do not wait on their marks (the bridge's
   * lanes move on at once) gather longer, so one partition's answers, a few hundred
   * microseconds apart, share a command too. Marks lost in a crash inside that window cost at
   * most a duplicate on replay, as a crash just before the mark would.
   */
  constructor(
    redis: Redis,
    ttlSeconds: number,
    log: Logger,
    onFallback: FallbackListener = () => undefined,
    gatherMs = 0,
  ) {
    this.redis = redis;
    this.ttlSeconds = ttlSeconds;
    this.log = log;
    this.onFallback = onFallback;
    this.gatherMs = gatherMs;
  }

  private key(subscriptionId: string, eventId: string): string {
    return `fanout:delivered:${subscriptionId}:${eventId}`;
  }

  /**
   * The ids among `eventIds` already delivered to this subscription, in one round trip: those
   * Redis has, and those whose marks are still being gathered or written. The latter are
   * looked at after Redis answered: a mark written after Redis read the keys was still on its
   * way then (one connection answers in order), so no acknowledged event falls between the two.
   * A second copy of an event (a producer retried a write that had landed) fetched just after
   * the first was acknowledged is found so.
   */
  async delivered(subscriptionId: string, eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const keys = eventIds.map((id) => this.key(subscriptionId, id));
    const out = new Set<string>();
    try {
      const values = await this.redis.mget(keys);
      values.forEach((v, i) => {
        if (v !== null) out.add(eventIds[i]!);
      });
    } catch (err) {
      this.log.warn('dedupe check skipped: redis unavailable', { subscriptionId, err });
      this.onFallback('unchecked', subscriptionId, eventIds.length);
    }
    keys.forEach((k, i) => {
      if (this.writing.has(k)) out.add(eventIds[i]!);
    });
    return out;
  }

  /**
   * Marks an event delivered. Marks asked for together (see `gatherMs`) go to Redis as one
   * scripted command per subscription: a command per mark was a tenth of the bridge's CPU.
   * The promise settles once the mark is written or given up (commits wait for it); it never
   * rejects.
   */
  mark(subscriptionId: string, eventId: string): Promise<void> {
    let batch = this.pending.get(subscriptionId);
    if (batch === undefined) {
      const keys: string[] = [];
      batch = {
        keys,
        done: new Promise<void>((resolve) => {
          const flush = (): void => {
            this.pending.delete(subscriptionId);
            void this.send(subscriptionId, keys).then(resolve);
          };
          if (this.gatherMs > 0) setTimeout(flush, this.gatherMs);
          else setImmediate(flush);
        }),
      };
      this.pending.set(subscriptionId, batch);
    }
    const key = this.key(subscriptionId, eventId);
    batch.keys.push(key);
    this.writing.set(key, (this.writing.get(key) ?? 0) + 1);
    return batch.done;
  }

  private async send(subscriptionId: string, keys: string[]): Promise<void> {
    try {
      await this.redis.eval(MARK_MANY, keys.length, ...keys, this.ttlSeconds);
    } catch (err) {
      this.log.warn('dedupe mark skipped: redis unavailable', { subscriptionId, err });
      this.onFallback('unmarked', subscriptionId, keys.length);
    } finally {
      for (const key of keys) {
        const n = this.writing.get(key)!;
        if (n <= 1) this.writing.delete(key);
        else this.writing.set(key, n - 1);
      }
    }
  }
}
