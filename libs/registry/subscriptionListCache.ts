import type pg from 'pg';
import { readRegistryVersion, unchangedSince } from './registryVersion.ts';
import { listSubscriptions } from './subscriptionStore.ts';
import type { Subscription } from './types.ts';

/**
 * Every live subscription, read again only when the subscriptions' counter moved: the lag
 * monitor and the routing decision list them all every few seconds, which with 10,000
 * subscriptions was most of their idle cost.
 */
export class SubscriptionListCache {
  private readonly pool: pg.Pool;
  private seen: string | null = null;
  private cached: Subscription[] = [];

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async list(): Promise<Subscription[]> {
    // read before the list, so a change landing during the read is seen next time
    const version = await readRegistryVersion(this.pool);
    if (unchangedSince(this.seen, version.subscriptions)) return this.cached;
    this.cached = await listSubscriptions(this.pool);
    this.seen = version.subscriptions;
    return this.cached;
  }
}
