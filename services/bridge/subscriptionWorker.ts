import type { Kafka } from 'kafkajs';
import type { Config } from '../../libs/config/loadConfig.ts';
import type { DeliveredMarks } from '../../libs/dedupe/deliveredMarks.ts';
import { deliverUntilAcknowledged } from '../../libs/delivery/deliverUntilAcknowledged.ts';
import { secretKey } from '../../libs/delivery/signature.ts';
import {
  createSubscriptionConsumer,
  type BatchHandler,
  type SubscriptionConsumer,
} from '../../libs/kafka/subscriptionConsumer.ts';
import type { Logger } from '../../libs/log/logger.ts';
import { groupIdOf, type Subscription } from '../../libs/registry/types.ts';

export interface WorkerDeps {
  kafka: Kafka;
  marks: DeliveredMarks;
  config: Config;
  log: Logger;
}

/**
 * Delivers one subscription's events: one consumer group, partitions in parallel, each
 * partition strictly in offset order. An event already marked delivered (a replay after a
 * crash or rebalance) is acknowledged without being pushed again.
 */
export function createSubscriptionWorker(
  sub: Subscription,
  deps: WorkerDeps,
): SubscriptionConsumer {
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

  const handleBatch: BatchHandler = async (batch, control) => {
    const seen = await deps.marks.delivered(
      sub.id,
      batch.events.map((e) => e.id),
    );
    const ctx = {
      endpoint,
      policy,
      timeoutMs: deps.config.deliveryTimeoutMs,
      isActive: control.isActive,
      keepAlive: control.heartbeat,
      log,
    };
    for (const event of batch.events) {
      if (!control.isActive()) return;
      if (!seen.has(event.id)) {
        const result = await deliverUntilAcknowledged(event, ctx);
        if (result === 'abandoned') return;
        // not awaited: the mark only saves a duplicate on replay and never throws
        void deps.marks.mark(sub.id, event.id);
      }
      await control.acknowledge(event);
    }
  };

  return createSubscriptionConsumer(
    deps.kafka,
    {
      groupId: groupIdOf(sub.id),
      topic: sub.topic,
      fromBeginning: sub.startFrom === 'earliest',
      commitIntervalMs: deps.config.commitIntervalMs,
      sessionTimeoutMs: deps.config.sessionTimeoutMs,
      partitionsConsumedConcurrently: deps.config.partitionConcurrency,
      log,
    },
    handleBatch,
  );
}
