import type { GroupCoordinators } from './groupCoordinators.ts';
import type { InternalClusterHandle } from './internalCluster.ts';

/**
 * A consumer group's committed offsets on a topic, asked of the group's coordinator directly.
 * KafkaJS's `admin.fetchOffsets` looks the topic's partitions up through its admin, which adds
 * the topic to the admin's metadata targets for good: every new topic then refreshes the
 * metadata of every topic asked about before, so sampling the groups of thousands of new
 * topics cost quadratic metadata traffic and a heap peak of hundreds of MiB in the api. Here
 * the partitions come from the caller (the lag monitor knows them from the log's bounds) or
 * from a metadata request for that topic alone.
 */
export class GroupOffsetFetcher {
  private readonly cluster: InternalClusterHandle;
  private readonly coordinators: GroupCoordinators;

  constructor(cluster: InternalClusterHandle, coordinators: GroupCoordinators) {
    this.cluster = cluster;
    this.coordinators = coordinators;
  }

  /** Partition → committed offset; partitions the group never committed are left out. */
  async fetch(
    groupId: string,
    topic: string,
    partitions?: number[],
  ): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const cluster = await this.cluster.ready();
    try {
      partitions ??= (await cluster.metadata({ topics: [topic] })).topicMetadata
        .find((t) => t.topic === topic)
        ?.partitionMetadata.map((p) => p.partitionId);
      if (partitions === undefined || partitions.length === 0) return out;
      const coordinator = await this.coordinators.of(cluster, groupId);
      const { responses } = await coordinator.offsetFetch({
        groupId,
        topics: [{ topic, partitions: partitions.map((partition) => ({ partition })) }],
      });
      for (const t of responses) {
        if (t.topic !== topic) continue;
        // -1: nothing committed on that partition
        for (const p of t.partitions) if (p.offset !== '-1') out[String(p.partition)] = p.offset;
      }
      return out;
    } catch (err) {
      this.coordinators.forget([groupId]);
      await this.cluster.failed(err);
      throw err;
    }
  }
}
