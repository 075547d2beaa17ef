import type { CloudEventsMode } from '../delivery/cloudEventRequest.ts';
import type { OrderingMode } from '../delivery/orderedLane.ts';
import type { Filter } from '../filter/eventFilter.ts';
import type { RetryPolicy } from '../delivery/retryPolicy.ts';

/** What happens to an event whose retries ran out. */
export type OnExhausted = 'dead-letter' | 'hold';

/** Up to `maxEvents` events per request, waiting at most `maxWaitMs` for a batch to fill. */
export interface BatchSettings {
  maxEvents: number;
  maxWaitMs: number;
}

/** How deliveries of a subscription are ordered, paced and grouped. */
export interface DeliverySettings {
  ordering: OrderingMode;
  /** The cap on requests in flight; within it, concurrency adapts to the endpoint. */
  maxInFlight: number;
  onExhausted: OnExhausted;
  /** Events per second at most; null: no cap. */
  rateLimitPerSecond: number | null;
  /** null: one event per request. */
  batch: BatchSettings | null;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  ordering: 'partition',
  maxInFlight: 32,
  onExhausted: 'dead-letter',
  rateLimitPerSecond: null,
  batch: null,
};

/** What a subscriber receives: the webhook or a CloudEvent, the value raw or schema-decoded. */
export interface EventFormat {
  cloudEvents: CloudEventsMode | null;
  payload: PayloadFormat;
}

/** `decoded`: a record in the schema registry's wire format is delivered as its JSON value. */
export type PayloadFormat = 'raw' | 'decoded';

export const DEFAULT_EVENT_FORMAT: EventFormat = { cloudEvents: null, payload: 'raw' };

export type StartFrom = 'latest' | 'earliest';
export type SubscriptionState = 'active' | 'failing' | 'paused' | 'disabled' | 'deleted';

/** States in which a bridge delivers: a failing subscription keeps probing its endpoint. */
export const DELIVERING_STATES: readonly SubscriptionState[] = ['active', 'failing'];

export interface Topic {
  name: string;
  partitions: number;
  /** The schema-registry subject its values are validated and encoded with; null: any JSON. */
  schemaSubject: string | null;
  createdAt: Date;
}

export interface Subscription {
  id: string;
  topic: string;
  endpoint: string;
  /** Signs deliveries; null only for subscriptions made before signing was mandatory. */
  secret: string | null;
  /** The secret a rotation replaced, still signing until it expires. */
  previousSecret: { secret: string; expiresAt: Date } | null;
  startFrom: StartFrom;
  startOffsets: Record<string, string>;
  state: SubscriptionState;
  disabledReason: string | null;
  retry: RetryPolicy;
  delivery: DeliverySettings;
  filter: Filter | null;
  format: EventFormat;
  /** Set by a seek backwards: offsets below `until` are replays; `redeliver` bypasses dedupe. */
  replay: { until: Record<string, string>; redeliver: boolean };
  createdAt: Date;
  updatedAt: Date;
}

/** The Kafka consumer group of a subscription: named so Kafka's own tools show whose it is. */
export function groupIdOf(subscriptionId: string): string {
  return `fanout.sub.${subscriptionId}`;
}

/** The dead-letter topic of a subscription. */
export function deadLetterTopicOf(subscriptionId: string): string {
  return `fanout.dlq.${subscriptionId}`;
}
