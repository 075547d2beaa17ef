import type { Kafka } from 'kafkajs';
import { FanoutError } from '../errors/FanoutError.ts';

/**
 * The slice of KafkaJS's internal cluster that Fanout uses where the public admin falls short
 * (see its users: group offsets set from outside the group, the offsets of many topics in one
 * request). KafkaJS is pinned at 2.2.4 (package.json): these names are checked at the first
 * use, so an upgrade that moves them fails loudly there rather than quietly.
 */
export interface InternalBroker {
  listOffsets(request: {
    isolationLevel: number;
    topics: { topic: string; partitions: { partition: number; timestamp: number }[] }[];
  }): Promise<{
    responses: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }>;
  offsetFetch(request: {
    groupId: string;
    topics: { topic: string; partitions: { partition: number }[] }[];
  }): Promise<{
    responses: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }>;
  describeGroups(request: { groupIds: string[] }): Promise<{
    groups: { groupId: string; state: string; members: unknown[] }[];
  }>;
  offsetCommit(request: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<unknown>;
}

export interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<InternalBroker>;
  findBroker(request: { nodeId: string }): Promise<InternalBroker>;
  /**
   * Metadata of these topics, or of every topic when asked for none; either way the cluster's
   * target topics stay empty (KafkaJS's admin would add each topic asked about for good).
   */
  metadata(request?: { topics: string[] }): Promise<{
    topicMetadata: {
      topic: string;
      partitionMetadata: { partitionId: number; leader: number }[];
    }[];
  }>;
}

type CreateCluster = (options: { allowAutoTopicCreation: boolean }) => InternalCluster;

const METHODS = [
  'connect',
  'disconnect',
  'findGroupCoordinator',
  'findBroker',
  'metadata',
] as const;

/** A cluster of its own (its own connections and metadata), made as KafkaJS makes its admin's. */
export function createInternalCluster(kafka: Kafka): InternalCluster {
  // the factory sits on the Kafka instance under a private symbol, found by its description
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const factory: unknown = symbol === undefined ? undefined : Reflect.get(kafka, symbol);
  if (typeof factory !== 'function') {
    throw new FanoutError('FANOUT_INTERNAL', 'this KafkaJS has no cluster factory');
  }
  const cluster = (factory as CreateCluster)({ allowAutoTopicCreation: false });
  for (const method of METHODS) {
    if (typeof cluster[method] !== 'function') {
      throw new FanoutError('FANOUT_INTERNAL', `this KafkaJS's cluster has no ${method}`);
    }
  }
  return cluster;
}

/** One internal cluster, connected on first use and made again after a failure. */
export class InternalClusterHandle {
  private readonly kafka: Kafka;
  private cluster: InternalCluster | undefined;
  private connected: Promise<InternalCluster> | undefined;

  constructor(kafka: Kafka) {
    this.kafka = kafka;
  }

  ready(): Promise<InternalCluster> {
    this.connected ??= (async () => {
      const cluster = createInternalCluster(this.kafka);
      this.cluster = cluster;
      await cluster.connect();
      return cluster;
    })().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  /** Drops the cluster (after a failure that may stick to it); the next use makes a new one. */
  async discard(): Promise<void> {
    const cluster = this.cluster;
    this.cluster = undefined;
    this.connected = undefined;
    await cluster?.disconnect().catch(() => undefined);
  }

  /**
   * After a failed request: a retriable error (a coordinator or leader moving, a topic being
   * made) fails that request only; any other may stick to the connections, so they are dropped
   * and the next use makes new ones. Answers whether the error was retriable.
   */
  async failed(err: unknown): Promise<boolean> {
    const retriable = (err as { retriable?: unknown }).retriable === true;
    if (!retriable) await this.discard();
    return retriable;
  }

  async close(): Promise<void> {
    await this.discard();
  }
}
