import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { Alert } from '../../libs/alerts/alertSender.ts';
import { AlertThrottle } from '../../libs/alerts/alertThrottle.ts';
import { createSubscriptionCircuit } from '../../libs/delivery/subscriptionCircuit.ts';
import type pg from 'pg';
import type { Config } from '../../libs/config/loadConfig.ts';
import type { DeliveredMarks } from '../../libs/dedupe/deliveredMarks.ts';
import { deadLetterEvent } from '../../libs/deadletters/deadLetterEvent.ts';
import { endpointOf } from '../../libs/delivery/endpointOf.ts';
import type { SchemaCodec } from '../../libs/schemas/schemaCodec.ts';
import { DeliveryLanes } from '../../libs/delivery/deliveryLanes.ts';
import { capacitySignal } from '../../libs/delivery/inFlightLimit.ts';
import { batchEvent } from '../../libs/delivery/batchEvent.ts';
import { RateLimiter } from '../../libs/delivery/rateLimiter.ts';
import {
  deliverWithPolicy,
  type PolicyOutcome,
  type RetryMemory,
} from '../../libs/delivery/deliverWithPolicy.ts';
import type { Idle, LaneOutcome } from '../../libs/delivery/orderedLane.ts';
import { holdEvent, takeRelease, type ReleaseAction } from '../../libs/holds/heldEventStore.ts';
import type { FanoutEvent } from '../../libs/events/fanoutEvent.ts';
import { compileFilter } from '../../libs/filter/eventFilter.ts';
import type { EventProducer } from '../../libs/kafka/eventProducer.ts';
import {
  createSubscriptionConsumer,
  type PartitionFeed,
} from '../../libs/kafka/subscriptionConsumer.ts';
import type { Endpoint } from '../../libs/delivery/postEvent.ts';
import { PartitionSequence } from '../../libs/sequence/partitionSequence.ts';
import { withSequenceHeaders } from '../../libs/sequence/sequenceHeaders.ts';
import { loadSequenceStart, saveSequencePoint } from '../../libs/sequence/sequencePointStore.ts';
import type { TopicAdmin } from '../../libs/kafka/topicAdmin.ts';
import type { Logger } from '../../libs/log/logger.ts';
import { deliveryMetrics } from '../../libs/metrics/deliveryMetrics.ts';
import type { FanoutMetrics } from '../../libs/metrics/fanoutMetrics.ts';
import { WORKER_REPORT_MS, type WorkerReports } from '../../libs/lag/workerReports.ts';
import { disableSubscription } from '../../libs/registry/subscriptionStore.ts';
import { deadLetterTopicOf, groupIdOf, type Subscription } from '../../libs/registry/types.ts';
import type { DeadLetterTopics } from '../../libs/deadletters/deadLetterTopics.ts';
import { RetryStateStore, type RetryState } from '../../libs/retry/retryStateStore.ts';

export interface WorkerDeps {
  alert: (alert: Alert) => void;
  kafka: Kafka;
  admin: TopicAdmin;
  producer: EventProducer;
  deadLetterTopics: DeadLetterTopics;
  pool: pg.Pool;
  marks: DeliveredMarks;
  config: Config;
  log: Logger;
  metrics: FanoutMetrics;
  /** Where each worker says how its deliveries go, for the lag evaluation's causes. */
  reports?: WorkerReports;
  /** Decodes schema-registry records for `decoded` subscriptions; null without a registry. */
  schemas?: SchemaCodec | null;
}

export interface SubscriptionWorker {
  start(): Promise<void>;
  /** Finishes in-flight requests, commits what was acknowledged, leaves the group. */
  stop(): Promise<void>;
  onFatal(listener: (err: Error) => void): void;
}

// Between two tries to write a dead letter while Kafka refuses it.
const DEAD_LETTER_RETRY_MS = 1000;
// Between two tries of a delivery that failed in an unexpected way.
const UNEXPECTED_FAILURE_RETRY_MS = 1000;
// At most one dead-letter alert per subscription in this window (the next says how many more).
const DEAD_LETTER_ALERT_WINDOW_MS = 60_000;
// How often a held event looks whether an operator released it.
const HOLD_POLL_MS = 500;

/**
 * Delivers one subscription's events: its own consumer group, one lane per partition, each
 * strictly in offset order, each event under the subscription's retry policy. An exhausted
 * event goes to the subscription's dead-letter topic and the partition moves on; a 410 Gone
 * disables the subscription. An event already marked delivered (a replay after a crash or a
 * rebalance) is acknowledged without being pushed again.
 */
export function createSubscriptionWorker(sub: Subscription, deps: WorkerDeps): SubscriptionWorker {
  const log = deps.log.child({ subscriptionId: sub.id, topic: sub.topic });
  const endpoint = endpointOf(sub, undefined, deps.schemas);
  const replayEndpoint = endpointOf(sub, { 'fanout-replay': 'seek' }, deps.schemas);
  // below these offsets (left by a seek backwards) events are replays
  const replayUntil = new Map(
    Object.entries(sub.replay.until).map(([p, o]) => [Number(p), BigInt(o)]),
  );
  const isReplay = (e: FanoutEvent): boolean => {
    const until = replayUntil.get(e.partition);
    return until !== undefined && BigInt(e.offset) < until;
  };
  const dlqTopic = deadLetterTopicOf(sub.id);
  const deadLetterAlerts = new AlertThrottle(DEAD_LETTER_ALERT_WINDOW_MS);
  const rate = sub.delivery.rateLimitPerSecond;
  const pacer = rate === null ? undefined : new RateLimiter(rate);
  const wanted = compileFilter(sub.filter);
  const retryStore = new RetryStateStore(deps.pool);
  const retryStates = new Map<number, Map<string, RetryState>>();
  let gone = false;
  const metrics = deliveryMetrics(deps.metrics, sub.id, sub.topic);
  metrics.circuit(sub.state === 'failing');

  const memory: RetryMemory = {
    get: (e) => retryStates.get(e.partition)?.get(e.offset),
    save: (e, state, last) => retryStore.save(sub.id, e.partition, e.offset, state, last),
    clear: async (e) => {
      retryStates.get(e.partition)?.delete(e.offset);
      await retryStore.clear(sub.id, e.partition, e.offset);
    },
  };

  const circuit = createSubscriptionCircuit(sub, {
    alert: deps.alert,
    pool: deps.pool,
    config: deps.config,
    log,
    onChange: (open) => metrics.circuit(open),
  });

  const consumer = createSubscriptionConsumer(deps.kafka, {
    groupId: groupIdOf(sub.id),
    topic: sub.topic,
    fromBeginning: sub.startFrom === 'earliest',
    sessionTimeoutMs: deps.config.sessionTimeoutMs,
    log,
  });

  const deadLetter = async (
    event: FanoutEvent,
    reason: { attempts: number; status: number | null; error: string },
    isOpen: () => boolean,
  ): Promise<LaneOutcome> => {
    while (isOpen()) {
      try {
        // written, indexed, logged and marked settled (a replay must not dead-letter it again)
        await deadLetterEvent(deps, sub.id, event, reason);
        metrics.deadLettered();
        metrics.settled('dead_lettered');
        const send = deadLetterAlerts.hit();
        if (send !== undefined) {
          deps.alert({
            type: 'events_dead_lettered',
            subscriptionId: sub.id,
            topic: sub.topic,
            detail: {
              eventId: event.id,
              attempts: reason.attempts,
              lastStatus: reason.status,
              lastError: reason.error,
              deadLetterTopic: dlqTopic,
              alsoDeadLetteredSinceLastAlert: send.heldBack,
            },
          });
        }
        await memory.clear(event).catch(() => undefined);
        return 'acknowledged';
      } catch (err) {
        log.error('dead letter not written; retrying', { eventId: event.id, err });
        await sleep(DEAD_LETTER_RETRY_MS);
      }
    }
    return 'abandoned';
  };

  // dedupe marks of acknowledged events still being written; every commit waits for them
  const pendingMarks = new Set<Promise<unknown>>();
  const trackMark = (marking: Promise<unknown>): void => {
    pendingMarks.add(marking);
    void marking.finally(() => pendingMarks.delete(marking));
  };

  const lanes = new DeliveryLanes({
    control: {
      pause: (p) => consumer.pause(p),
      resume: (p) => consumer.resume(p),
      epoch: () => consumer.epoch(),
      commit: async (partition, offset, epoch) => {
        // the events below `offset` started their dedupe marks before they settled
        await Promise.all(pendingMarks);
        if (epoch !== consumer.epoch()) return false;
        // the point first: a crash before the commit leaves a point the restart can find
        const point = sequences.get(partition)?.pointAt(offset);
        if (point !== undefined) {
          await saveSequencePoint(deps.pool, sub.id, partition, point).catch((err: unknown) =>
            log.warn('sequence point not saved', { partition, offset, err }),
          );
        }
        return consumer.commit(partition, offset, epoch);
      },
    },
    alreadyDelivered: async (events) => {
      const delivered = await deps.marks.delivered(
        sub.id,
        // a seek with redeliver pushes its replays again whatever dedupe remembers
        (sub.replay.redeliver ? events.filter((e) => !isReplay(e)) : events).map((e) => e.id),
      );
      metrics.settled('duplicate', delivered.size);
      return delivered;
    },
    prepareLane: async (partition, firstOffset) => {
      try {
        retryStates.set(partition, await retryStore.load(sub.id, partition, firstOffset));
      } catch (err) {
        retryStates.set(partition, new Map());
        log.warn('retry state not loaded; counting attempts afresh', { partition, err });
      }
    },
    deliver: (event, isOpen, idle) => persist(() => deliverOne(event, isOpen, idle), isOpen),
    ...(sub.delivery.batch === null
      ? {}
      : {
          batch: {
            ...sub.delivery.batch,
            deliver: (events, isOpen, idle) =>
              persist(() => deliverBatch(events, isOpen, idle), isOpen),
          },
        }),
    maxQueuedPerPartition: deps.config.maxQueuedPerPartition,
    ordering: sub.delivery.ordering,
    maxInFlight: sub.delivery.maxInFlight,
    commitIntervalMs: deps.config.commitIntervalMs,
    log,
  });

  // Numbers each partition's deliveries (fanout-seq, fanout-prev-id); rebuilt with the lanes.
  const sequences = new Map<number, PartitionSequence>();
  const feed: PartitionFeed = {
    push: async (partition, events) => {
      if (!sequences.has(partition)) {
        try {
          const start = await loadSequenceStart(deps.pool, sub.id, partition, events[0]!.offset);
          sequences.set(partition, new PartitionSequence(start));
        } catch (err) {
          // deliveries go on without sequence headers rather than with numbers used before
          log.warn('sequence not loaded; delivering without fanout-seq', { partition, err });
        }
      }
      sequences.get(partition)?.observe(events, wanted);
      await lanes.push(partition, events);
    },
    reset: async (reason, fence) => {
      await lanes.reset(reason, fence);
      sequences.clear();
    },
  };

  const withSequence = (event: FanoutEvent, base: Endpoint): Endpoint =>
    withSequenceHeaders(base, sequences.get(event.partition)?.markOf(event));

  /**
   * Parks an event whose retries ran out until an operator releases it. Only its key (in `key`
   * mode) or its partition waits; the wait holds no in-flight slot.
   */
  async function holdUntilReleased(
    event: FanoutEvent,
    reason: { attempts: number; status: number | null; error: string },
    active: () => boolean,
    idle: Idle,
  ): Promise<ReleaseAction | 'abandoned'> {
    return idle(async () => {
      let recorded = false;
      while (active()) {
        try {
          if (!recorded) {
            if (await holdEvent(deps.pool, sub.id, event, reason)) {
              log.warn('event held', { eventId: event.id, partition: event.partition, ...reason });
              deps.alert({
                type: 'event_held',
                subscriptionId: sub.id,
                topic: sub.topic,
                detail: { eventId: event.id, partition: event.partition, offset: event.offset },
              });
            }
            recorded = true;
          }
          const action = await takeRelease(deps.pool, sub.id, event);
          if (action !== undefined) {
            log.info('held event released', { eventId: event.id, action });
            return action;
          }
        } catch (err) {
          log.warn('held event not checked; retrying', { eventId: event.id, err });
        }
        await sleep(HOLD_POLL_MS);
      }
      return 'abandoned';
    });
  }

  /**
   * An unexpected failure (PostgreSQL down while disabling, say) must neither crash the
   * process nor skip the event: the whole delivery is tried again.
   */
  async function persist(
    attempt: () => Promise<LaneOutcome>,
    isOpen: () => boolean,
  ): Promise<LaneOutcome> {
    for (;;) {
      try {
        return await attempt();
      } catch (err) {
        log.error('delivery failed unexpectedly; retrying', { err });
        if (!isOpen()) return 'abandoned';
        await sleep(UNEXPECTED_FAILURE_RETRY_MS);
      }
    }
  }

  async function deliverOne(
    event: FanoutEvent,
    isOpen: () => boolean,
    idle: Idle,
  ): Promise<LaneOutcome> {
    // an event the subscription does not want is settled at once: its offset moves on
    if (!wanted(event)) {
      metrics.settled('filtered');
      return 'acknowledged';
    }
    const base = isReplay(event) ? replayEndpoint : endpoint;
    return deliverUnit(event, [event], withSequence(event, base), isOpen, idle);
  }

  async function deliverBatch(
    events: FanoutEvent[],
    isOpen: () => boolean,
    idle: Idle,
  ): Promise<LaneOutcome> {
    const members = events.filter(wanted);
    metrics.settled('filtered', events.length - members.length);
    if (members.length === 0) return 'acknowledged';
    const unit = batchEvent(members, (e) => sequences.get(e.partition)?.markOf(e));
    const base = members.some(isReplay) ? replayEndpoint : endpoint;
    const batchEndpoint: Endpoint = {
      ...base,
      extraHeaders: { ...base.extraHeaders, 'fanout-batch-size': String(members.length) },
    };
    return deliverUnit(unit, members, batchEndpoint, isOpen, idle);
  }

  /** Delivers one request's worth — an event, or a batch standing for its members. */
  async function deliverUnit(
    unit: FanoutEvent,
    members: FanoutEvent[],
    target: Endpoint,
    isOpen: () => boolean,
    idle: Idle,
  ): Promise<LaneOutcome> {
    const active = (): boolean => isOpen() && !gone;
    for (;;) {
      const outcome = await deliverWithPolicy(unit, {
        endpoint: target,
        policy: sub.retry,
        memory,
        isOpen: active,
        circuit,
        log,
        idle,
        ...metrics.policyHooks,
        ...(pacer === undefined
          ? {}
          : { pace: (open) => metrics.pacing(pacer.take(open), Date.now()) }),
        onAttempt: (e, result, attempt, ms) => {
          metrics.policyHooks.onAttempt?.(e, result, attempt, ms);
          lanes.limit.feedback(capacitySignal(result));
        },
      });
      if (outcome.kind === 'exhausted' && sub.delivery.onExhausted === 'hold') {
        // a batch is held under its first event: same partition and offset as its retry state
        const action = await holdUntilReleased(members[0]!, outcome, active, idle);
        if (action === 'abandoned') return 'abandoned';
        if (action === 'retry') {
          // a fresh retry budget (the copy in memory goes first, so a failed write still resets)
          await memory
            .clear(unit)
            .catch((err: unknown) =>
              log.warn('retry state not cleared', { eventId: unit.id, err }),
            );
          continue;
        }
      }
      return settle(unit, members, outcome, active);
    }
  }

  async function settle(
    unit: FanoutEvent,
    members: FanoutEvent[],
    outcome: PolicyOutcome,
    active: () => boolean,
  ): Promise<LaneOutcome> {
    switch (outcome.kind) {
      case 'acknowledged':
        for (const e of members) metrics.settled('delivered', 1, e.timestampMs);
        // Marked before the next commit passes the event (commits wait for pending marks), so
        // a crash before that commit replays the event without pushing it again. The lane
        // moves on meanwhile: a Redis round trip per event stays off the ordered path. Never
        // throws: Redis down means no mark (logged), and at worst a duplicate later.
        trackMark(Promise.all(members.map((e) => deps.marks.mark(sub.id, e.id))));
        return 'acknowledged';
      case 'exhausted':
        // each event of a batch is its own dead letter, replayable on its own
        for (const e of members) {
          if ((await deadLetter(e, outcome, active)) === 'abandoned') return 'abandoned';
        }
        if (members.length > 1) await memory.clear(unit).catch(() => undefined);
        return 'acknowledged';
      case 'gone':
        gone = true;
        deps.alert({
          type: 'subscription_disabled',
          subscriptionId: sub.id,
          topic: sub.topic,
          detail: { reason: '410 Gone', endpoint: sub.endpoint, eventId: unit.id },
        });
        await disableSubscription(deps.pool, sub.id, `410 Gone from ${sub.endpoint}`);
        return 'abandoned';
      case 'abandoned':
        return 'abandoned';
    }
  }

  let reporting: NodeJS.Timeout | undefined;
  const report = (): void => {
    void deps.reports?.publish(sub.id, {
      ...metrics.takePeriod(),
      at: Date.now(),
      limit: lanes.limit.current,
      timeoutMs: sub.retry.timeoutMs,
    });
  };

  return {
    async start() {
      await consumer.start(feed);
      reporting = setInterval(report, WORKER_REPORT_MS);
    },
    async stop() {
      clearInterval(reporting);
      await lanes.stop();
      await consumer.stop();
    },
    onFatal: (listener) => consumer.onFatal(listener),
  };
}
