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

// FANOUT_BENCH_BASELINE_TREE=<another checkout, npm ci done> runs its bridge too, side by side
// with this one, to measure a change of the hot path in one run.
const baseline = process.env.FANOUT_BENCH_BASELINE_TREE;
if (baseline !== undefined && baseline !== '') {
  pushers.push(
    fanoutBridge('partition', {}, '', baseline),
    fanoutBridge('key', {}, '', baseline),
    fanoutBridge('none', {}, '', baseline),
    fanoutBridge('partition', { batch: { maxEvents: 100, maxWaitMs: 5 } }, ', batch 100', baseline),
  );
}
