import type { Kafka } from 'kafkajs';
import type { Config } from '../../libs/config/loadConfig.ts';
import type { DeliveredMarks } from '../../libs/dedupe/deliveredMarks.ts';
import { deliverUntilAcknowledged } from '../../libs/delivery/deliverUntilAcknowledged.ts';
import { DeliveryLanes } from '../../libs/delivery/deliveryLanes.ts';
import { secretKey } from '../../libs/delivery/signature.ts';
import { createSubscriptionConsumer } from '../../libs/kafka/subscriptionConsumer.ts';
import type { Logger } from '../../libs/log/logger.ts';
import { groupIdOf, type Subscription } from '../../libs/registry/types.ts';

export interface WorkerDeps {
  kafka: Kafka;
  marks: DeliveredMarks;
  config: Config;
  log: Logger;
}

export interface SubscriptionWorker {
  start(): Promise<void>;
  /** Finishes in-flight requests, commits what was acknowledged, leaves the group. */
  stop(): Promise<void>;
  onFatal(listener: (err: Error) => void): void;
}

/**
 * Delivers one subscription's events: its own consumer group, one lane per partition, each
 * lane strictly in offset order. An event already marked delivered (a replay after a crash or
 * rebalance) is acknowledged without being pushed again.
 */
export function createSubscriptionWorker(sub: Subscription, deps: WorkerDeps): SubscriptionWorker {
  const log = deps.log.child({ subscriptionId: sub.id, topic: sub.topic });
  const endpoint = {
    url: sub.endpoint,
    signingKey: sub.secret === null ? null : secretKey(sub.secret),
  };
  const policy = {
    initialMs: deps.config.retryInitialMs,
    maxMs: deps.config.retryMaxMs,
    multiplier: 2,
  };
  const consumer = createSubscriptionConsumer(deps.kafka, {
    groupId: groupIdOf(sub.id),
    topic: sub.topic,
    fromBeginning: sub.startFrom === 'earliest',
    sessionTimeoutMs: deps.config.sessionTimeoutMs,
    log,
  });
  const lanes = new DeliveryLanes({
    control: consumer,
    alreadyDelivered: (events) =>
      deps.marks.delivered(
        sub.id,
        events.map((e) => e.id),
      ),
    deliver: async (event, isOpen) => {
      const result = await deliverUntilAcknowledged(event, {
        endpoint,
        policy,
        timeoutMs: deps.config.deliveryTimeoutMs,
        isActive: isOpen,
        log,
      });
      // not awaited: the mark only saves a duplicate on replay and never throws
      if (result === 'acknowledged') void deps.marks.mark(sub.id, event.id);
      return result;
    },
    maxQueuedPerPartition: deps.config.maxQueuedPerPartition,
    commitIntervalMs: deps.config.commitIntervalMs,
    log,
  });

  return {
    start: () => consumer.start(lanes),
    async stop() {
      await lanes.stop();
      await consumer.stop();
    },
    onFatal: (listener) => consumer.onFatal(listener),
  };
}
