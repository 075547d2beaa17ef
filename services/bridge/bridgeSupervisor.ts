import { listSubscriptions } from '../../libs/registry/subscriptionStore.ts';
import { RegistryCache } from '../../libs/registry/registryCache.ts';
import { readRegistryVersion, type RegistryVersion } from '../../libs/registry/registryVersion.ts';
import { topicsOutOfReadFanout } from '../../libs/routing/topicRouteStore.ts';
import { DELIVERING_STATES, groupIdOf, type Subscription } from '../../libs/registry/types.ts';
import {
  createSubscriptionWorker,
  type SubscriptionWorker,
  type WorkerDeps,
} from './subscriptionWorker.ts';

export type SupervisorDeps = WorkerDeps;

interface Running {
  worker: SubscriptionWorker;
  fingerprint: string;
}

/** What the workers should be, worked out once per change of the rows rather than every sync. */
interface RegistryView {
  subs: Subscription[];
  routes: Set<string>;
  /** Subscriptions to run, oldest first. */
  wanted: Map<string, { sub: Subscription; fingerprint: string }>;
  /** Every subscription not deleted (a paused one keeps its group). */
  live: Set<string>;
}

/**
 * Keeps one worker running per live subscription: re-reads the registry on an interval (in full
 * only when its counters moved), starts workers for new subscriptions, stops those of deleted
 * ones, and restarts a worker whose consumer died. Several bridge processes may run this at
 * once: Kafka's group protocol splits each subscription's partitions between them.
 */
export class BridgeSupervisor {
  private readonly running = new Map<string, Running>();
  private readonly broken = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly subs: RegistryCache<Subscription[]>;
  private readonly routes: RegistryCache<Set<string>>;
  private view: RegistryView | undefined;

  private readonly deps: SupervisorDeps;

  constructor(deps: SupervisorDeps) {
    this.deps = deps;
    this.subs = new RegistryCache(deps.pool, 'subscriptions', listSubscriptions);
    this.routes = new RegistryCache(deps.pool, 'topicRoutes', topicsOutOfReadFanout);
  }

  get workerCount(): number {
    return this.running.size;
  }

  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => {
      // a failed sync must not break the chain: the next tick tries again
      this.syncing = this.syncing
        .then(() => this.sync())
        .catch((err: unknown) => this.deps.log.error('registry sync failed', { err }));
    }, this.deps.config.registryRefreshMs);
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const view = await this.readRegistry();
    if (view === undefined) return;
    // run even when nothing changed: a worker dropped by onFatal or that failed to start is
    // started again here, from the last rows read
    await this.reconcile(view);
  }

  /** The registry as last read (see RegistryCache); undefined: not readable now. */
  private async readRegistry(): Promise<RegistryView | undefined> {
    const { pool, log } = this.deps;
    let version: RegistryVersion;
    let subs: Subscription[];
    let routes: Set<string>;
    try {
      version = await readRegistryVersion(pool);
      subs = await this.subs.get(version);
      routes = await this.routes.get(version);
    } catch (err) {
      log.warn('cannot read the registry; keeping current workers', { err });
      return undefined;
    }
    if (this.view?.subs !== subs || this.view.routes !== routes) {
      this.view = viewOf(subs, routes);
    }
    return this.view;
  }

  private async reconcile(view: RegistryView): Promise<void> {
    for (const [id, run] of this.running) {
      const want = view.wanted.get(id);
      if (want === undefined || want.fingerprint !== run.fingerprint) {
        this.running.delete(id);
        // a disabled subscription keeps its group and offsets; a deleted one loses them
        await this.stopWorker(id, run, !view.live.has(id));
      }
    }
    for (const { sub, fingerprint } of view.wanted.values()) {
      if (this.running.has(sub.id) || this.stopped) continue;
      let worker: SubscriptionWorker;
      try {
        worker = createSubscriptionWorker(sub, this.deps);
      } catch (err) {
        // one unusable subscription must not stop the others; reported once per version of it
        if (this.broken.get(sub.id) !== fingerprint) {
          this.deps.log.error('subscription cannot be delivered', { subscriptionId: sub.id, err });
          this.broken.set(sub.id, fingerprint);
        }
        continue;
      }
      this.broken.delete(sub.id);
      const run = { worker, fingerprint };
      this.running.set(sub.id, run);
      worker.onFatal(() => {
        // dropped here, started again on the next sync
        if (this.running.get(sub.id) === run) this.running.delete(sub.id);
        void worker.stop().catch(() => undefined);
      });
      try {
        await worker.start();
        this.deps.log.info('subscription worker started', {
          subscriptionId: sub.id,
          topic: sub.topic,
        });
      } catch (err) {
        this.running.delete(sub.id);
        this.deps.log.warn('subscription worker failed to start; will retry', {
          subscriptionId: sub.id,
          err,
        });
        await worker.stop().catch(() => undefined);
      }
    }
  }

  private async stopWorker(id: string, run: Running, deleted: boolean): Promise<void> {
    try {
      await run.worker.stop();
    } catch (err) {
      this.deps.log.warn('subscription worker did not stop cleanly', { subscriptionId: id, err });
    }
    if (deleted) {
      // best effort: another bridge may still be a member; it deletes the group when it stops
      await this.deps.admin.deleteGroup(groupIdOf(id));
    }
    this.deps.log.info('subscription worker stopped', { subscriptionId: id, deleted });
  }

  /** Stops every worker: each finishes or abandons its in-flight event, commits and leaves. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.syncing;
    const all = [...this.running.entries()];
    this.running.clear();
    await Promise.all(all.map(([id, run]) => this.stopWorker(id, run, false)));
  }
}

function viewOf(subs: Subscription[], routes: Set<string>): RegistryView {
  const wanted: RegistryView['wanted'] = new Map();
  for (const sub of subs) {
    // a topic in (or moving to or from) write fan-out is the router's: its bridges stop
    if (DELIVERING_STATES.includes(sub.state) && !routes.has(sub.topic)) {
      wanted.set(sub.id, { sub, fingerprint: fingerprintOf(sub) });
    }
  }
  return { subs, routes, wanted, live: new Set(subs.map((s) => s.id)) };
}

/** What, when changed, needs the worker restarted with new settings. */
function fingerprintOf(sub: Subscription): string {
  return JSON.stringify([
    sub.topic,
    sub.endpoint,
    sub.secret,
    sub.previousSecret,
    sub.retry,
    sub.delivery,
    sub.format,
  ]);
}
