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
import { leaseFollowingRuns } from '../../libs/deliveries/leaseFollowingRuns.ts';
import { byOffset, type LeasedDelivery } from '../../libs/deliveries/leasedDelivery.ts';
import { DeliveredBatcher } from '../../libs/deliveries/deliveredBatcher.ts';
import { StatementBatcher } from '../../libs/db/statementBatcher.ts';
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
  /** The worker's logger with the subscription's fields, made once rather than per delivery. */
  log: Logger;
  inFlight: number;
}

// Rows leased per statement: enough to keep the slots full without one worker taking them all.
const LEASE_BATCH = 32;
// A row let go of without an attempt (circuit open, over the in-flight limit) waits this long.
const RELEASE_DELAY_MS = 1000;
// How long a delivered row waits for others to share its mark's statement: a run does not
// wait for its marks (see `RunContext`), and each statement is a commit (a WAL flush) of
// PostgreSQL's, more of them the more router processes share the rows.
const MARK_GATHER_MS = 5;
// Idle waits double after each lease that found no head, up to this many poll intervals: an
// idle worker otherwise walks the heads every poll, each router on its own (a third of four
// routers' lease statements found nothing), and what makes rows due is mostly known in
// process (see `rowsMayBeDue`).
const MAX_IDLE_POLLS = 8;

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
  /** Poll intervals the next idle wait lasts: 1 after a lease that found rows, then doubling. */
  private idlePolls = 1;
  private dueTimer: NodeJS.Timeout | undefined;
  private dueAt = Infinity;
  private readonly running = new Set<Promise<void>>();
  private readonly delivered: DeliveredBatcher;
  /** Leases the runs behind rows held, for all the runs ending at about the same time. */
  private readonly following: StatementBatcher<LeasedDelivery, LeasedDelivery[]>;

  constructor(deps: DeliveryWorkerDeps) {
    this.deps = deps;
    this.delivered = new DeliveredBatcher(deps.pool, MARK_GATHER_MS);
    this.following = new StatementBatcher(async (held) => {
      let runs: LeasedDelivery[][] = held.map(() => []);
      await this.leaseCounted('following', async () => {
        runs = await leaseFollowingRuns(
          deps.pool,
          this.owner,
          held,
          deps.config.deliveryLeaseMs,
          deps.config.deliveryRunLength,
        );
        return runs.flat();
      });
      return runs;
    }, deps.config.deliveryWorkerConcurrency);
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
        leased = await this.leaseCounted('heads', () =>
          leaseDeliveries(
            this.deps.pool,
            this.owner,
            // heads, one slot each; a 'partition' head may bring a run behind it
            asked,
            this.deps.config.deliveryLeaseMs,
            this.saturatedSubscriptions(),
            this.deps.config.deliveryRunLength,
          ),
        );
        this.idlePolls = leased.length > 0 ? 1 : Math.min(MAX_IDLE_POLLS, this.idlePolls * 2);
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
            // a run ends when its partition has nothing due (or it stopped): its slot is free
            // for another head. Look again once a quarter of the runs held at the last lease
            // have ended (each run's end alone made a statement per head, and the lease
            // statements half the database's work)
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

  /** Runs a lease statement of the kind given, counted and timed; no rows when it failed. */
  private async leaseCounted(
    kind: 'heads' | 'following',
    lease: () => Promise<LeasedDelivery[]>,
  ): Promise<LeasedDelivery[]> {
    const { metrics } = this.deps;
    const done = metrics.leaseSeconds.startTimer({ kind });
    try {
      const leased = await lease();
      metrics.leaseStatements.inc({ kind, result: leased.length === 0 ? 'empty' : 'rows' });
      metrics.leasedRows.inc(leased.length);
      return leased;
    } catch (err) {
      metrics.leaseStatements.inc({ kind, result: 'error' });
      this.log.warn('cannot lease delivery rows', { kind, err });
      return [];
    } finally {
      done();
    }
  }

  /**
   * Rows may have become due: made by this process's dispatcher, or a subscription changed
   * (resumed, say). The worker looks at once if idle, and polls at the base interval again.
   * Rows other processes make are found by the poll, within `MAX_IDLE_POLLS` intervals.
   */
  rowsMayBeDue(): void {
    this.idlePolls = 1;
    this.wake?.();
  }

  /** Wakes the worker when a row it gave back for a later attempt falls due. */
  private dueLater(at: number): void {
    if (at >= this.dueAt || this.stopped) return;
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueAt = at;
    this.dueTimer = setTimeout(
      () => {
        this.dueAt = Infinity;
        this.dueTimer = undefined;
        this.rowsMayBeDue();
      },
      Math.max(0, at - Date.now()),
    );
    this.dueTimer.unref();
  }

  /** Waits for the idle interval, or less when a run ends or rows may be due. */
  private async idle(): Promise<void> {
    const ac = new AbortController();
    const woken = new Promise<void>((resolve) => (this.wake = resolve));
    await Promise.race([
      sleep(this.deps.config.deliveryPollMs * this.idlePolls, undefined, {
        signal: ac.signal,
      }).catch(() => undefined),
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
      this.rowsMayBeDue();
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
      log: this.log.child({ subscriptionId: sub.id, topic: sub.topic }),
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
   * Delivers a run (rows of one partition, by offset) one after the other, and then the run
   * that follows it in its partition, leased while the last row was still held, and so on
   * until the partition has no due row: the worker keeps the partitions it delivers. Once one
   * row is not settled (a retry is due later, the lease or the worker is closing) the rest go
   * back to pending untouched, so the partition's order holds.
   */
  private async deliverRun(leased: LeasedDelivery[]): Promise<void> {
    let run = leased;
    // the marks of the part before last are awaited, not those of the last: a part does not
    // wait for its predecessor's marks to be written, and the marks still held stay bounded
    let earlier: Promise<void>[] = [];
    let last: Promise<void>[] = [];
    try {
      while (run.length > 0) {
        const marking: Promise<void>[] = [];
        [earlier, last] = [last, marking];
        run = await this.deliverRunPart(run, marking);
        await Promise.all(earlier);
      }
    } finally {
      await Promise.all([...earlier, ...last]);
    }
  }

  /**
   * Delivers `run` in order; answers the run that follows it, or none when it stopped. The
   * marks of its delivered rows go to `marking`, still being written.
   */
  private async deliverRunPart(
    run: LeasedDelivery[],
    marking: Promise<void>[],
  ): Promise<LeasedDelivery[]> {
    let i = 0;
    let following: Promise<LeasedDelivery[]> = Promise.resolve([]);
    let settledAll = false;
    const full = run.length >= this.deps.config.deliveryRunLength;
    try {
      // one dedupe check for the run: nothing else delivers these rows while they are leased
      const pushed = await this.deps.marks.delivered(
        run[0]!.subscriptionId,
        run.map((r) => r.event.id),
      );
      const ctx: RunContext = { pushed, marking };
      for (;;) {
        const row = run[i]!;
        const last = i === run.length - 1;
        // a full run says a backlog is behind it; a shorter one found the partition's end, and
        // a quiet topic's rows would each cost an empty statement
        if (last && full && row.ordering === 'partition' && !this.stopped) {
          // leased while the request is out: the next rows are ready when this one settles
          following = this.following.submit(row);
          ctx.following = following;
        }
        const settled = await this.deliverRow(row, ctx);
        i++;
        if (!settled) break;
        if (last) {
          settledAll = true;
          break;
        }
      }
    } finally {
      if (!settledAll) {
        const rest = [...run.slice(i), ...(await following)];
        await releaseDeliveries(this.deps.pool, rest, Date.now()).catch(() => undefined);
      }
    }
    return settledAll ? following : [];
  }

  /**
   * True when the row was settled (delivered, or failed to the dead letters); a delivered row
   * is still being marked so (see `RunContext`).
   */
  private async deliverRow(row: LeasedDelivery, ctx: RunContext): Promise<boolean> {
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
      return await this.deliverLeased(row, s, ctx);
    } catch (err) {
      // PostgreSQL down mid-way, say: the row goes back (or its lease lapses) and is tried again
      this.log.error('delivery failed unexpectedly; row released', { rowId: row.id, err });
      await releaseDelivery(pool, row, Date.now() + RELEASE_DELAY_MS).catch(() => undefined);
      return false;
    } finally {
      s.inFlight--;
    }
  }

  private async deliverLeased(
    row: LeasedDelivery,
    s: SubscriptionRuntime,
    ctx: RunContext,
  ): Promise<boolean> {
    const { pool, marks } = this.deps;
    const { sub } = s;
    const event = row.event;
    if (ctx.pushed.has(event.id)) {
      // pushed already (a bridge before a switch, or a worker that died before settling)
      s.metrics.settled('duplicate');
      ctx.marking.push(this.markDelivered(row, row.attempts, ctx.following));
      return true;
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
      log: s.log,
      deferRetries: true,
      ...s.metrics.policyHooks,
    });
    switch (outcome.kind) {
      case 'acknowledged':
        s.metrics.settled('delivered', 1, event.timestampMs);
        ctx.marking.push(
          this.markDelivered(row, outcome.attempts, ctx.following, () =>
            marks.mark(sub.id, event.id),
          ),
        );
        return true;
      case 'deferred':
        await releaseDelivery(pool, row, outcome.nextAttemptAt);
        this.dueLater(outcome.nextAttemptAt);
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

  /**
   * Marks an acknowledged row delivered, after its dedupe mark (`dedupe`) is written — a crash
   * between the two leaves the dedupe mark, so the row's next delivery is skipped — and after
   * `after` (the lease of the run behind it) is done. Never
   * rejects: a row left unmarked (PostgreSQL away, its lease lost) stays in flight until its
   * lease lapses, and its dedupe mark then spares the endpoint a second push.
   */
  private async markDelivered(
    row: LeasedDelivery,
    attempts: number,
    after: Promise<unknown> | undefined,
    dedupe?: () => Promise<void>,
  ): Promise<void> {
    try {
      await dedupe?.();
      await after;
      if (!(await this.delivered.mark({ ...row, attempts }))) {
        this.log.warn('lease lost before the row was marked delivered', { rowId: row.id });
      }
    } catch (err) {
      this.log.error('cannot mark a delivered row; its lease will lapse', { rowId: row.id, err });
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
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.running]);
  }
}

/**
 * What the rows of one run share: the dedupe check made for all of them at its start (nothing
 * else delivers them while they are leased), and the marks of its delivered rows. A run does
 * not wait for a row to be marked before pushing the next: the endpoint has acknowledged it,
 * and the next row's order is the worker's to keep, not the table's. A row still being marked
 * stays in flight, so no other worker takes its partition; the run ends once every mark is
 * written.
 */
interface RunContext {
  pushed: Set<string>;
  marking: Promise<void>[];
  /**
   * Set for a part's last row once the run behind it is being leased: that row is marked only
   * after, since the lease holds the partition by it being in flight.
   */
  following?: Promise<unknown>;
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
    run.sort(byOffset);
  }
  return [...runs.values(), ...single];
}

/** What, when changed, needs a new endpoint (URL, secrets) for the subscription. */
function fingerprintOf(sub: Subscription): string {
  return JSON.stringify([sub.endpoint, sub.secret, sub.previousSecret, sub.format]);
}
