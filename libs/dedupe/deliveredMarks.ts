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

// Keys per command at most: the script runs alone on Redis's one thread, so a large gathering is
// sent as several commands, none holding Redis up for long.
const MAX_KEYS_PER_COMMAND = 500;

interface PendingMarks {
  keys: string[];
  // the subscription of each key, counted only if the command fails
  subscriptionIds: string[];
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
  // marks asked for and not yet sent, of every subscription: they go together
  private pending: PendingMarks | undefined;
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
   * Marks an event delivered. Marks asked for together (see `gatherMs`), whatever their
   * subscription, go to Redis as one scripted command (up to MAX_KEYS_PER_COMMAND keys): a
   * command per mark was a tenth of the bridge's CPU, and a command per subscription made a
   * process delivering to many subscriptions send nearly one per mark again.
   * The promise settles once the mark is written or given up (commits wait for it); it never
   * rejects.
   */
  mark(subscriptionId: string, eventId: string): Promise<void> {
    let batch = this.pending;
    if (batch === undefined || batch.keys.length >= MAX_KEYS_PER_COMMAND) {
      const keys: string[] = [];
      const subscriptionIds: string[] = [];
      batch = {
        keys,
        subscriptionIds,
        done: new Promise<void>((resolve) => {
          const flush = (): void => {
            // a full batch was already followed by the next one, which stays
            if (this.pending?.keys === keys) this.pending = undefined;
            void this.send(keys, subscriptionIds).then(resolve);
          };
          if (this.gatherMs > 0) setTimeout(flush, this.gatherMs);
          else setImmediate(flush);
        }),
      };
      this.pending = batch;
    }
    const key = this.key(subscriptionId, eventId);
    batch.keys.push(key);
    batch.subscriptionIds.push(subscriptionId);
    this.writing.set(key, (this.writing.get(key) ?? 0) + 1);
    return batch.done;
  }

  private async send(keys: string[], subscriptionIds: string[]): Promise<void> {
    try {
      await this.redis.eval(MARK_MANY, keys.length, ...keys, this.ttlSeconds);
    } catch (err) {
      const counts = new Map<string, number>();
      for (const id of subscriptionIds) counts.set(id, (counts.get(id) ?? 0) + 1);
      this.log.warn('dedupe mark skipped: redis unavailable', {
        subscriptionIds: [...counts.keys()].slice(0, 20),
        subscriptions: counts.size,
        marks: keys.length,
        err,
      });
      for (const [subscriptionId, count] of counts)
        this.onFallback('unmarked', subscriptionId, count);
    } finally {
      for (const key of keys) {
        const n = this.writing.get(key)!;
        if (n <= 1) this.writing.delete(key);
        else this.writing.set(key, n - 1);
      }
    }
  }
}
