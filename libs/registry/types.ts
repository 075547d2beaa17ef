export type StartFrom = 'latest' | 'earliest';
export type SubscriptionState = 'active' | 'deleted';

export interface Topic {
  name: string;
  partitions: number;
  createdAt: Date;
}

export interface Subscription {
  id: string;
  topic: string;
  endpoint: string;
  secret: string | null;
  startFrom: StartFrom;
  startOffsets: Record<string, string>;
  state: SubscriptionState;
  createdAt: Date;
  updatedAt: Date;
}

/** The Kafka consumer group of a subscription: named so Kafka's own tools show whose it is. */
export function groupIdOf(subscriptionId: string): string {
  return `fanout.sub.${subscriptionId}`;
}
