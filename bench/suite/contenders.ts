import type { Pusher, Reader } from './contender.ts';
import {
  autocannonCeiling,
  fanoutBridge,
  kafkaConnectPeer,
  naiveLoop,
  PARALLEL_CONNECTIONS,
  parallelConsumerPeer,
} from './pushers.ts';
import { consumerPerformance, rawKafkaJs } from './readers.ts';

/** The read ceilings, in the order they run within a round. */
export const readers: Reader[] = [consumerPerformance, rawKafkaJs];

/** Everything that pushes to the sink, in the order they run within a round. */
export const pushers: Pusher[] = [
  autocannonCeiling(PARALLEL_CONNECTIONS),
  autocannonCeiling(3),
  naiveLoop,
  kafkaConnectPeer,
  parallelConsumerPeer,
  fanoutBridge('partition'),
  fanoutBridge('key'),
  fanoutBridge('none'),
  fanoutBridge('partition', { batch: { maxEvents: 100, maxWaitMs: 5 } }, ', batch 100'),
  fanoutBridge('key', { batch: { maxEvents: 100, maxWaitMs: 5 } }, ', batch 100'),
];
