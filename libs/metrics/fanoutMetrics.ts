import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric Fanout exports, defined once, on a registry of its own per process (so several
 * stacks in one test process never share counters). Names follow Prometheus conventions: base
 * units in the name, `_total` on counters. Labels are bounded: subscription id, topic,
 * partition, an outcome class or a state — never an event id or a URL.
 */
export interface FanoutMetrics {
  registry: Registry;
  // delivery (bridge)
  deliveryAttempts: Counter<'subscription' | 'topic' | 'outcome'>;
  deliveryRetries: Counter<'subscription' | 'topic'>;
  eventsSettled: Counter<'subscription' | 'topic' | 'outcome'>;
  deadLetters: Counter<'subscription' | 'topic'>;
  dedupeUnchecked: Counter<'subscription'>;
  dedupeMarksSkipped: Counter<'subscription'>;
  circuitOpen: Gauge<'subscription' | 'topic'>;
  inFlight: Gauge<'subscription' | 'topic'>;
  deliveryLatency: Histogram<'subscription' | 'topic'>;
  endpointResponse: Histogram<'subscription' | 'topic' | 'outcome'>;
  // lag (computed from Kafka's committed offsets for every subscription)
  committedOffset: Gauge<'subscription' | 'topic' | 'partition'>;
  logEndOffset: Gauge<'subscription' | 'topic' | 'partition'>;
  partitionLagMessages: Gauge<'subscription' | 'topic' | 'partition'>;
  partitionLagSeconds: Gauge<'subscription' | 'topic' | 'partition'>;
  lagMessages: Gauge<'subscription' | 'topic'>;
  lagSeconds: Gauge<'subscription' | 'topic'>;
  drainSeconds: Gauge<'subscription' | 'topic'>;
  deliveryRate: Gauge<'subscription' | 'topic'>;
  status: Gauge<'subscription' | 'topic' | 'status'>;
  deadLettersStored: Gauge<'subscription' | 'topic'>;
  retriesParked: Gauge<'subscription' | 'topic'>;
  // write fan-out's delivery workers (router)
  leaseStatements: Counter<'kind' | 'result'>;
  leasedRows: Counter;
  leaseSeconds: Histogram<'kind'>;
}

// produce → acknowledgement: from milliseconds to the hour a subscriber can fall behind
const LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
];
// one HTTP request: bounded by the subscription's timeout (at most minutes)
const RESPONSE_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export function createMetrics(service: string): FanoutMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // the standard process_* and nodejs_* names, so stock Node dashboards work as they are
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const sub = ['subscription', 'topic'] as const;
  const part = ['subscription', 'topic', 'partition'] as const;
  return {
    registry,
    deliveryAttempts: new Counter({
      name: 'fanout_delivery_attempts_total',
      help: 'HTTP delivery attempts by outcome class: 2xx, 3xx, 4xx, 5xx, timeout or network.',
      labelNames: [...sub, 'outcome'],
      registers,
    }),
    deliveryRetries: new Counter({
      name: 'fanout_delivery_retries_total',
      help: 'Delivery attempts after the first for the same event.',
      labelNames: sub,
      registers,
    }),
    eventsSettled: new Counter({
      name: 'fanout_events_settled_total',
      help: 'Events whose offset may move on, by outcome: delivered, dead_lettered, filtered or duplicate (already delivered, not pushed again).',
      labelNames: [...sub, 'outcome'],
      registers,
    }),
    deadLetters: new Counter({
      name: 'fanout_dead_letters_total',
      help: 'Events written to the dead-letter topic after the retry policy ran out.',
      labelNames: sub,
      registers,
    }),
    dedupeUnchecked: new Counter({
      name: 'fanout_dedupe_unchecked_events_total',
      help: 'Fetched events delivered without a dedupe check because Redis did not answer (possible duplicates).',
      labelNames: ['subscription'],
      registers,
    }),
    dedupeMarksSkipped: new Counter({
      name: 'fanout_dedupe_marks_skipped_total',
      help: 'Acknowledged events whose delivered mark could not be written to Redis.',
      labelNames: ['subscription'],
      registers,
    }),
    circuitOpen: new Gauge({
      name: 'fanout_circuit_open',
      help: "1 while the subscription's circuit is open (only probes go out), else 0.",
      labelNames: sub,
      registers,
    }),
    inFlight: new Gauge({
      name: 'fanout_deliveries_in_flight',
      help: 'HTTP delivery requests open right now.',
      labelNames: sub,
      registers,
    }),
    deliveryLatency: new Histogram({
      name: 'fanout_delivery_latency_seconds',
      help: "From the record's Kafka timestamp (produce) to the endpoint's acknowledgement.",
      labelNames: sub,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    endpointResponse: new Histogram({
      name: 'fanout_endpoint_response_seconds',
      help: 'Duration of one HTTP delivery request, by outcome class.',
      labelNames: [...sub, 'outcome'],
      buckets: RESPONSE_BUCKETS,
      registers,
    }),
    committedOffset: new Gauge({
      name: 'fanout_consumer_committed_offset',
      help: "The subscription group's committed offset (next to deliver) per partition.",
      labelNames: part,
      registers,
    }),
    logEndOffset: new Gauge({
      name: 'fanout_partition_log_end_offset',
      help: 'The next offset to be written to the partition (log-end offset).',
      labelNames: part,
      registers,
    }),
    partitionLagMessages: new Gauge({
      name: 'fanout_partition_lag_messages',
      help: 'Log-end offset minus committed offset, per partition.',
      labelNames: part,
      registers,
    }),
    partitionLagSeconds: new Gauge({
      name: 'fanout_partition_lag_seconds',
      help: 'Age of the oldest event of the partition not yet acknowledged (0 when caught up).',
      labelNames: part,
      registers,
    }),
    lagMessages: new Gauge({
      name: 'fanout_subscription_lag_messages',
      help: 'Events not yet settled, all partitions together.',
      labelNames: sub,
      registers,
    }),
    lagSeconds: new Gauge({
      name: 'fanout_subscription_lag_seconds',
      help: 'Age of the oldest event not yet acknowledged, over all partitions.',
      labelNames: sub,
      registers,
    }),
    drainSeconds: new Gauge({
      name: 'fanout_subscription_drain_seconds',
      help: 'Estimated time to catch up at the current delivery rate; -1 when nothing moves.',
      labelNames: sub,
      registers,
    }),
    deliveryRate: new Gauge({
      name: 'fanout_subscription_delivery_rate_events_per_second',
      help: 'Committed offsets advanced per second over the evaluation window.',
      labelNames: sub,
      registers,
    }),
    status: new Gauge({
      name: 'fanout_subscription_status',
      help: 'Lag evaluation: 1 for the current status (ok, lagging, stalled, failing, paused, disabled), 0 for the others.',
      labelNames: [...sub, 'status'],
      registers,
    }),
    deadLettersStored: new Gauge({
      name: 'fanout_dead_letters_stored',
      help: 'Dead letters of the subscription kept for replay or discard.',
      labelNames: sub,
      registers,
    }),
    retriesParked: new Gauge({
      name: 'fanout_retries_parked',
      help: 'Events waiting for a retry (attempted at least once, not yet acknowledged).',
      labelNames: sub,
      registers,
    }),
    leaseStatements: new Counter({
      name: 'fanout_delivery_lease_statements_total',
      help: "Lease statements of this process's delivery worker, by kind (heads: a walk over the partitions' heads; following: the run behind a row it still holds) and result: rows, empty or error.",
      labelNames: ['kind', 'result'],
      registers,
    }),
    leasedRows: new Counter({
      name: 'fanout_delivery_leased_rows_total',
      help: "Delivery rows this process's worker leased.",
      registers,
    }),
    leaseSeconds: new Histogram({
      name: 'fanout_delivery_lease_seconds',
      help: 'Time of one lease statement, by kind: grows with lock waits and with the heads it walks.',
      labelNames: ['kind'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  };
}
