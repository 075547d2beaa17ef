import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { FanoutError } from '../errors/FanoutError.ts';

/**
 * The slice of KafkaJS's internal cluster used here. KafkaJS 2.x has no public equivalent of
 * Kafka's `AdminClient.alterConsumerGroupOffsets`: its `admin.setOffsets` joins the group with a
 * throwaway consumer, which costs the broker's initial rebalance delay (3 s by default) plus a
 * join and a leave — about 5 s for every new subscription, seek and pull. Kafka's own admin
 * commits instead as a member of no generation (generation -1, no member id), which the group
 * coordinator accepts while the group has no members; this does the same over KafkaJS's
 * connections, so TLS, SASL and retries stay KafkaJS's.
 */
interface InternalBroker {
  offsetCommit(request: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<unknown>;
}
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<InternalBroker>;
}
type CreateCluster = (options: { allowAutoTopicCreation: boolean }) => InternalCluster;

// Coordinator answers that pass once the group's coordinator has moved or loaded.
const COORDINATOR_MOVING = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'REQUEST_TIMED_OUT',
]);
// What the coordinator says to a commit from outside a group that has live members.
const GROUP_HAS_MEMBERS = new Set([
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'REBALANCE_IN_PROGRESS',
  'STALE_MEMBER_EPOCH',
  'FENCED_MEMBER_EPOCH',
]);
const ATTEMPTS = 6;

function clusterFactory(kafka: Kafka): CreateCluster {
  // The factory sits on the Kafka instance under a private symbol; found by its description
  // so a KafkaJS upgrade that moves it fails here, loudly, at the first use.
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const factory: unknown = symbol === undefined ? undefined : Reflect.get(kafka, symbol);
  if (typeof factory !== 'function') {
    throw new FanoutError('FANOUT_INTERNAL', 'this KafkaJS has no cluster factory to commit with');
  }
  return factory as CreateCluster;
}

/** Commits consumer-group offsets from outside the group, as Kafka's admin client does. */
export class GroupOffsetCommitter {
  private readonly kafka: Kafka;
  private cluster: InternalCluster | undefined;
  private connected: Promise<InternalCluster> | undefined;

  constructor(kafka: Kafka) {
    this.kafka = kafka;
  }

  private ready(): Promise<InternalCluster> {
    this.connected ??= (async () => {
      const cluster = clusterFactory(this.kafka)({ allowAutoTopicCreation: false });
      this.cluster = cluster;
      await cluster.connect();
      return cluster;
    })().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  /**
   * Sets `offsets` (partition → next offset to read) for `groupId` on `topic`. Refused with
   * FANOUT_SUBSCRIPTION_BUSY while the group has members: their own commits would win.
   */
  async commit(groupId: string, topic: string, offsets: Record<string, string>): Promise<void> {
    const partitions = Object.entries(offsets).map(([partition, offset]) => ({
      partition: Number(partition),
      offset,
    }));
    if (partitions.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        const cluster = await this.ready();
        const coordinator = await cluster.findGroupCoordinator({ groupId });
        await coordinator.offsetCommit({
          groupId,
          groupGenerationId: -1,
          memberId: '',
          topics: [{ topic, partitions }],
        });
        return;
      } catch (err) {
        const type = (err as { type?: unknown }).type;
        if (typeof type === 'string' && GROUP_HAS_MEMBERS.has(type)) {
          throw new FanoutError(
            'FANOUT_SUBSCRIPTION_BUSY',
            `consumer group ${groupId} has members; its offsets can be set only while it has none`,
            { cause: err },
          );
        }
        const moving = typeof type === 'string' && COORDINATOR_MOVING.has(type);
        if (!moving || attempt >= ATTEMPTS) throw err;
        await sleep(100 * attempt);
      }
    }
  }

  async close(): Promise<void> {
    const cluster = this.cluster;
    this.cluster = undefined;
    this.connected = undefined;
    await cluster?.disconnect();
  }
}
