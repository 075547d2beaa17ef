import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { Alert } from '../../libs/alerts/alertSender.ts';
import type { Config } from '../../libs/config/loadConfig.ts';
import { deadLetterEvent } from '../../libs/deadletters/deadLetterEvent.ts';
import type { DeadLetterTopics } from '../../libs/deadletters/deadLetterTopics.ts';
import type { DeliveredMarks } from '../../libs/dedupe/deliveredMarks.ts';
import { parkHeldDelivery } from '../../libs/deliveries/heldDeliveries.ts';
import { leaseDeliveries } from '../../libs/deliveries/leaseDeliveries.ts';
import type { LeasedDelivery } from '../../libs/deliveries/leasedDelivery.ts';
import { DeliveredBatcher } from '../../libs/deliveries/deliveredBatcher.ts';
import {
  markFailed,
  recordAttempt,
  releaseDeliveries,
  releaseDelivery,
} from '../../libs/deliveries/settleDelivery.ts';
import type { CircuitBreaker } from '../../libs/delivery/circuitBreaker.ts';
import type { DeadLetterReason } from '../../libs/delivery/deadLetterRecord.ts';
import { deliverWithPolicy, type RetryMemory } from '../../libs/delivery/deliverWithPolicy.ts';
import { endpointOf } from '../../libs/delivery/endpointOf.ts';
import type { Endpoint } from '../../libs/delivery/postEvent.ts';
import { createSubscriptionCircuit } from '../../libs/delivery/subscriptionCircuit.ts';
import { holdEvent } from '../../libs/holds/heldEventStore.ts';
import type { EventProducer } from '../../libs/kafka/eventProducer.ts';
import type { Logger } from '../../libs/log/logger.ts';
import { withSequenceHeaders } from '../../libs/sequence/sequenceHeaders.ts';
import { deliveryMetrics, type DeliveryMetrics } from '../../libs/metrics/deliveryMetrics.ts';
import type { FanoutMetrics } from '../../libs/metrics/fanoutMetrics.ts';
import {
  disableSubscription,
  findSubscription,
  listSubscriptions,
} from '../../libs/registry/subscriptionStore.ts';
import { RegistryCache } from '../../libs/registry/registryCache.ts';
import type { Subscription } from '../../libs/registry/types.ts';

export interface DeliveryWorkerDeps {
  pool: pg.Pool;
  marks: DeliveredMarks;
  producer: EventProducer;
  deadLetterTopics: DeadLetterTopics;
  alert: (alert: Alert) => void;
  config: Config;
  log: Logger;
  metrics: FanoutMetrics;
}

interface SubscriptionRuntime {
  sub: Subscription;
  fingerprint: string;
  endpoint: Endpoint;
  circuit: CircuitBreaker;
  metrics: DeliveryMetrics;
  inFlight: number;
}

// Rows leased per statement: enough to keep the slots full without one worker taking them all.
const LEASE_BATCH = 32;
// A row let go of without an attempt (circuit open, over the in-flight limit) waits this long.
const RELEASE_DELAY_MS = 1000;

/**
 * Pushes write fan-out's delivery rows with the bridge's own delivery code: `deliverWithPolicy`
 * (signatures, Retry-After, 410, circuit), dedupe marks and dead-lettering, here fed by leased
 * rows instead of a consumer group. A failed attempt is not waited out in process: the row goes
 * back to pending with its next attempt time, so no lease is held through a backoff, and any
 * worker process may make the next attempt. Several processes share the rows: each leases with
 * FOR UPDATE SKIP LOCKED and every state change is fenced by its lease token.
 */
export class DeliveryWorker {
  readonly owner = `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly deps: DeliveryWorkerDeps;
  private readonly log: Logger;
  private readonly subs = new Map<string, SubscriptionRuntime>();
  /**
   * Runs being delivered: each pushes one request at a time, so this is the requests in flight
   * (a 'partition' run's rows behind its head wait their turn and are not counted).
   */
  private runsInFlight = 0;
  private endedSinceLease = 0;
  private wakeAfterEnded = 1;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing = false;
  private readonly listed: RegistryCache<Subscription[]>;
  /** The listing last applied in full (nothing left to redo), to skip it while it is the same. */
  private applied: Subscription[] | undefined;
  private wake: (() => void) | undefined;
  private readonly running = new Set<Promise<void>>();
  private readonly delivered: DeliveredBatcher;

  constructor(deps: DeliveryWorkerDeps) {
    this.deps = deps;
    this.delivered = new DeliveredBatcher(deps.pool);
    this.listed = new RegistryCache(deps.pool, 'subscriptions', listSubscriptions);
    this.log = deps.log.child({ component: 'delivery-worker', owner: this.owner });
  }

  start(): void {
    this.refreshTimer = setInterval(() => {
      void this.refreshSubscriptions();
    }, this.deps.config.registryRefreshMs);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const capacity = this.deps.config.deliveryWorkerConcurrency;
    while (!this.stopped) {
      const free = capacity - this.runsInFlight;
      const asked = Math.min(LEASE_BATCH, free);
      let leased: LeasedDelivery[] = [];
      if (free > 0) {
        const { metrics } = this.deps;
        const done = metrics.leaseSeconds.startTimer();
        try {
          leased = await leaseDeliveries(
            this.deps.pool,
            this.owner,
            // heads, one slot each; a 'partition' head may bring a run behind it
            asked,
            this.deps.config.deliveryLeaseMs,
            this.saturatedSubscriptions(),
            this.deps.config.deliveryRunLength,
          );
          metrics.leaseStatements.inc({ result: leased.length === 0 ? 'empty' : 'rows' });
          metrics.leasedRows.inc(leased.length);
        } catch (err) {
          metrics.leaseStatements.inc({ result: 'error' });
          this.log.warn('cannot lease delivery rows', { err });
        } finally {
          done();
        }
      }
      const runs = runsOf(leased);
      for (const run of runs) {
        this.runsInFlight++;
        const job = this.deliverRun(run)
          .catch((err: unknown) =>
            this.log.error('delivery run failed', { rowId: run[0]!.id, err }),
          )
          .finally(() => {
            this.runsInFlight--;
            this.running.delete(job);
            // a settled row may unblock the next of its partition: look again once a quarter
            // of the runs held at the last lease have ended (each run's end alone made a
            // statement per head, and the lease statements half the database's work)
            if (++this.endedSinceLease >= this.wakeAfterEnded) this.wake?.();
          });
        this.running.add(job);
      }
      this.endedSinceLease = 0;
      this.wakeAfterEnded = Math.max(1, Math.floor(this.runsInFlight / 4));
      // fewer heads than asked: none is left to lease until a run ends or rows arrive
      if (runs.length < asked || this.runsInFlight >= capacity) await this.idle();
    }
  }

  /** Waits for the poll interval, or less when a row settles. */
  private async idle(): Promise<void> {
    const ac = new AbortController();
    const woken = new Promise<void>((resolve) => (this.wake = resolve));
    await Promise.race([
      sleep(this.deps.config.deliveryPollMs, undefined, { signal: ac.signal }).catch(
        () => undefined,
      ),
      woken,
    ]);
    ac.abort();
    this.wake = undefined;
  }

  /**
   * Subscriptions not to lease for now: at their in-flight limit in this process, or with an
   * open circuit that already has its probe out (one row at a time while it is open).
   */
  private saturatedSubscriptions(): string[] {
    const out: string[] = [];
    for (const [id, s] of this.subs) {
      const limit = s.circuit.isOpen ? 1 : s.sub.delivery.maxInFlight;
      if (s.inFlight >= limit) out.push(id);
    }
    return out;
  }

  /** Brings the known subscriptions up to date when the registry's listing changed. */
  private async refreshSubscriptions(): Promise<void> {
    // a slow PostgreSQL must not pile refreshes up; the next tick does the work
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const listing = await this.listed.get();
      if (listing === this.applied) return;
      const live = new Map(listing.map((s) => [s.id, s]));
      let settled = true;
      for (const [id, s] of this.subs) {
        const now = live.get(id);
        if (now === undefined) {
          if (s.inFlight === 0) this.subs.delete(id);
          // still delivering: dropped by a later pass, not skipped as unchanged
          else settled = false;
        } else if (fingerprintOf(now) !== s.fingerprint) {
          this.subs.set(id, this.runtimeOf(now, s));
        } else {
          s.sub = now;
        }
      }
      this.applied = settled ? listing : undefined;
    } catch (err) {
      this.log.warn('cannot refresh subscriptions; keeping what is known', { err });
    } finally {
      this.refreshing = false;
    }
  }

  private runtimeOf(sub: Subscription, previous?: SubscriptionRuntime): SubscriptionRuntime {
    const metrics = previous?.metrics ?? deliveryMetrics(this.deps.metrics, sub.id, sub.topic);
    return {
      sub,
      fingerprint: fingerprintOf(sub),
      endpoint: endpointOf(sub),
      // the circuit outlives a settings change: its failures are the endpoint's, not the settings'
      circuit:
        previous?.circuit ??
        createSubscriptionCircuit(sub, {
          ...this.deps,
          log: this.log,
          onChange: (open) => metrics.circuit(open),
        }),
      metrics,
      inFlight: previous?.inFlight ?? 0,
    };
  }

  private async subscriptionOf(id: string): Promise<SubscriptionRuntime | undefined> {
    const known = this.subs.get(id);
    if (known !== undefined) return known;
    const sub = await findSubscription(this.deps.pool, id);
    if (sub === undefined) return undefined;
    const runtime = this.runtimeOf(sub);
    this.subs.set(id, runtime);
    return runtime;
  }

  /**
   * Delivers a run (rows of one partition, by offset) one after the other; once one is not
   * settled (a retry is due later, the lease or the worker is closing) the rest go back to
   * pending untouched, so the partition's order holds.
   */
  private async deliverRun(run: LeasedDelivery[]): Promise<void> {
    let i = 0;
    try {
      for (; i < run.length; i++) {
        if (!(await this.deliverRow(run[i]!))) {
          i++;
          break;
        }
      }
    } finally {
      await releaseDeliveries(this.deps.pool, run.slice(i), Date.now()).catch(() => undefined);
    }
  }

  /** True when the row was settled (delivered, or failed to the dead letters). */
  private async deliverRow(row: LeasedDelivery): Promise<boolean> {
    const { pool } = this.deps;
    const s = await this.subscriptionOf(row.subscriptionId);
    if (s === undefined) {
      // deleted meanwhile: its rows go with it (ON DELETE CASCADE) or stay unleased
      await releaseDelivery(pool, row, Date.now() + RELEASE_DELAY_MS);
      return false;
    }
    const limit = s.circuit.isOpen ? 1 : s.sub.delivery.maxInFlight;
    if (s.inFlight >= limit) {
      await releaseDelivery(pool, row, Date.now() + (s.circuit.isOpen ? RELEASE_DELAY_MS : 0));
      return false;
    }
    s.inFlight++;
    try {
      return await this.deliverLeased(row, s);
    } catch (err) {
      // PostgreSQL down mid-way, say: the row goes back (or its lease lapses) and is tried again
      this.log.error('delivery failed unexpectedly; row released', { rowId: row.id, err });
      await releaseDelivery(pool, row, Date.now() + RELEASE_DELAY_MS).catch(() => undefined);
      return false;
    } finally {
      s.inFlight--;
    }
  }

  private async deliverLeased(row: LeasedDelivery, s: SubscriptionRuntime): Promise<boolean> {
    const { pool, marks } = this.deps;
    const { sub } = s;
    const event = row.event;
    if ((await marks.delivered(sub.id, [event.id])).has(event.id)) {
      // pushed already (a bridge before a switch, or a worker that died before settling)
      s.metrics.settled('duplicate');
      return this.delivered.mark(row);
    }
    // an operator released this held row to the dead letters: no further attempt
    if (row.releasedToDeadLetter !== undefined) {
      return this.deadLetter(row, s, row.releasedToDeadLetter);
    }
    let leaseHeld = true;
    const memory: RetryMemory = {
      get: () =>
        row.firstAttemptAt === null
          ? undefined
          : { attempts: row.attempts, firstAttemptAt: row.firstAttemptAt, nextAttemptAt: 0 },
      save: async (_e, state, last) => {
        leaseHeld = await recordAttempt(pool, row, state, last);
        if (!leaseHeld) this.log.warn('lease lost mid-delivery', { rowId: row.id });
      },
      clear: async () => undefined,
    };
    // no attempt starts that could outlast the lease
    const isOpen = (): boolean =>
      !this.stopped && leaseHeld && Date.now() + sub.retry.timeoutMs < row.leaseExpiresAt;
    const outcome = await deliverWithPolicy(event, {
      endpoint: withSequenceHeaders(s.endpoint, row.sequence),
      policy: sub.retry,
      memory,
      isOpen,
      circuit: s.circuit,
      log: this.log.child({ subscriptionId: sub.id, topic: sub.topic }),
      deferRetries: true,
      ...s.metrics.policyHooks,
    });
    switch (outcome.kind) {
      case 'acknowledged':
        await marks.mark(sub.id, event.id);
        s.metrics.settled('delivered', 1, event.timestampMs);
        return this.delivered.mark({ ...row, attempts: outcome.attempts });
      case 'deferred':
        await releaseDelivery(pool, row, outcome.nextAttemptAt);
        return false;
      case 'exhausted':
        return sub.delivery.onExhausted === 'hold'
          ? this.hold(row, s, outcome)
          : this.deadLetter(row, s, outcome);
      case 'gone':
        this.deps.alert({
          type: 'subscription_disabled',
          subscriptionId: sub.id,
          topic: sub.topic,
          detail: { reason: '410 Gone', endpoint: sub.endpoint, eventId: event.id },
        });
        await disableSubscription(pool, sub.id, `410 Gone from ${sub.endpoint}`);
        // kept pending: a re-enabled subscription resumes at this very event, as a bridge would
        await releaseDelivery(pool, row, Date.now());
        return false;
      case 'abandoned':
        await releaseDelivery(pool, row, Date.now());
        return false;
    }
  }

  /** Writes the row's event to the dead letters and settles the row as failed. */
  private async deadLetter(
    row: LeasedDelivery,
    s: SubscriptionRuntime,
    reason: DeadLetterReason,
  ): Promise<boolean> {
    // throws while Kafka refuses the dead letter: the row is released and tried again
    const deadLetterId = await deadLetterEvent(
      { ...this.deps, log: this.log },
      s.sub.id,
      row.event,
      reason,
    );
    s.metrics.deadLettered();
    s.metrics.settled('dead_lettered');
    return markFailed(this.deps.pool, row, reason, deadLetterId);
  }

  /**
   * `onExhausted: hold`, as a bridge does it: the event is recorded for the operator (alerted
   * once) and its row parked, first of its partition (or key) and never due, so what follows
   * it waits and nothing else does. The router's sweeper applies the operator's release.
   */
  private async hold(
    row: LeasedDelivery,
    s: SubscriptionRuntime,
    reason: DeadLetterReason,
  ): Promise<boolean> {
    const { sub } = s;
    const event = row.event;
    if (await holdEvent(this.deps.pool, sub.id, event, reason)) {
      this.log.warn('event held', {
        subscriptionId: sub.id,
        eventId: event.id,
        partition: event.partition,
        ...reason,
      });
      this.deps.alert({
        type: 'event_held',
        subscriptionId: sub.id,
        topic: sub.topic,
        detail: { eventId: event.id, partition: event.partition, offset: event.offset },
      });
    }
    await parkHeldDelivery(this.deps.pool, row, reason);
    return false;
  }

  /** Stops leasing; rows in flight finish their attempt (or are released) before this resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.running]);
  }
}

/**
 * Groups leased rows for delivery: a 'partition' subscription's rows of one partition form one
 * run, in offset order; every other row is a run of its own (key and none run in parallel).
 */
function runsOf(rows: LeasedDelivery[]): LeasedDelivery[][] {
  const runs = new Map<string, LeasedDelivery[]>();
  const single: LeasedDelivery[][] = [];
  for (const row of rows) {
    if (row.ordering !== 'partition') {
      single.push([row]);
      continue;
    }
    const key = `${row.subscriptionId}:${row.event.partition}`;
    const run = runs.get(key);
    if (run === undefined) runs.set(key, [row]);
    else run.push(row);
  }
  for (const run of runs.values()) {
    run.sort((a, b) => (BigInt(a.event.offset) < BigInt(b.event.offset) ? -1 : 1));
  }
  return [...runs.values(), ...single];
}

/** What, when changed, needs a new endpoint (URL, secrets) for the subscription. */
function fingerprintOf(sub: Subscription): string {
  return JSON.stringify([sub.endpoint, sub.secret, sub.previousSecret, sub.format]);
}
