import { listSubscriptions } from '../../libs/registry/subscriptionStore.ts';
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

/**
 * Keeps one worker running per live subscription: re-reads the registry on an interval, starts
 * workers for new subscriptions, stops those of deleted ones, and restarts a worker whose
 * consumer died. Several bridge processes may run this at once: Kafka's group protocol splits
 * each subscription's partitions between them.
 */
export class BridgeSupervisor {
  private readonly running = new Map<string, Running>();
  private readonly broken = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;

  private readonly deps: SupervisorDeps;

  constructor(deps: SupervisorDeps) {
    this.deps = deps;
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
    let subs;
    try {
      subs = await listSubscriptions(this.deps.pool);
    } catch (err) {
      this.deps.log.warn('cannot read subscriptions; keeping current workers', { err });
      return;
    }
    let elsewhere: Set<string>;
    try {
      elsewhere = await topicsOutOfReadFanout(this.deps.pool);
    } catch (err) {
      this.deps.log.warn('cannot read topic routes; keeping current workers', { err });
      return;
    }
    // a topic in (or moving to or from) write fan-out is the router's: its bridges stop
    const active = subs.filter(
      (s) => DELIVERING_STATES.includes(s.state) && !elsewhere.has(s.topic),
    );
    const wanted = new Map(active.map((s) => [s.id, s]));
    const live = new Set(subs.map((s) => s.id));
    for (const [id, run] of this.running) {
      const sub = wanted.get(id);
      if (sub === undefined || fingerprintOf(sub) !== run.fingerprint) {
        this.running.delete(id);
        // a disabled subscription keeps its group and offsets; a deleted one loses them
        await this.stopWorker(id, run, !live.has(id));
      }
    }
    for (const sub of active) {
      if (this.running.has(sub.id) || this.stopped) continue;
      let worker: SubscriptionWorker;
      try {
        worker = createSubscriptionWorker(sub, this.deps);
      } catch (err) {
        // one unusable subscription must not stop the others; reported once per version of it
        const fingerprint = fingerprintOf(sub);
        if (this.broken.get(sub.id) !== fingerprint) {
          this.deps.log.error('subscription cannot be delivered', { subscriptionId: sub.id, err });
          this.broken.set(sub.id, fingerprint);
        }
        continue;
      }
      this.broken.delete(sub.id);
      const run = { worker, fingerprint: fingerprintOf(sub) };
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
