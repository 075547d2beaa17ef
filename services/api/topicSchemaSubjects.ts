import type pg from 'pg';
import { findTopic } from '../../libs/registry/topicStore.ts';

// How long one api process trusts what it read of a topic's schema subject: a change made
// through another api replica takes effect here within this time.
const TTL_MS = 5_000;

/**
 * The schema subject each topic declares, read from the registry tables at most once per TTL so
 * the produce path does not query PostgreSQL per request.
 */
export class TopicSchemaSubjects {
  private readonly cache = new Map<string, { subject: string | null; at: number }>();
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async of(topic: string): Promise<string | null> {
    const cached = this.cache.get(topic);
    if (cached !== undefined && Date.now() - cached.at < TTL_MS) return cached.subject;
    const subject = (await findTopic(this.pool, topic))?.schemaSubject ?? null;
    this.cache.set(topic, { subject, at: Date.now() });
    return subject;
  }

  /** Called when this process changes a topic's subject, so it applies here at once. */
  forget(topic: string): void {
    this.cache.delete(topic);
  }
}
