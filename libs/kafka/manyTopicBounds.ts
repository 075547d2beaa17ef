import type { InternalClusterHandle } from './internalCluster.ts';

export interface TopicBounds {
  /** Per partition, the first offset still in the log. */
  low: Record<string, string>;
  /** Per partition, the next offset to be written. */
  high: Record<string, string>;
}

// ListOffsets timestamps that ask for the end and the start of a partition's log.
const LATEST = -1;
const EARLIEST = -2;
// The high watermark, as KafkaJS's admin reads it (its admin sets no isolation level).
const READ_UNCOMMITTED = 0;
// KafkaJS's error type for a topic the broker does not have.
const UNKNOWN_TOPIC = 'UNKNOWN_TOPIC_OR_PARTITION';

/**
 * The offset bounds of many topics in one pass: one metadata request for every topic and two
 * ListOffsets requests per partition leader. KafkaJS's admin asks topic by topic, and each ask
 * walks the metadata of every topic it knows: sampling 2,000 topics that way costs millions of
 * comparisons and 6,000 requests, where the lag monitor and the router sample every topic
 * every few seconds. Nothing here names a topic in a metadata request, so a deleted topic
 * cannot fail later requests (KafkaJS keeps every topic it was once asked about in its own).
 */
export class ManyTopicBounds {
  private readonly cluster: InternalClusterHandle;

  constructor(cluster: InternalClusterHandle) {
    this.cluster = cluster;
  }

  /**
   * Bounds of `topics`; a topic Kafka does not have, or with a partition without a leader, is
   * left out. Throws when a leader does not answer.
   */
  async read(topics: string[]): Promise<Map<string, TopicBounds>> {
    const listed = await this.list(topics, [LATEST, EARLIEST]);
    const out = new Map<string, TopicBounds>();
    for (const [topic, at] of listed)
      out.set(topic, { high: at.get(LATEST)!, low: at.get(EARLIEST)! });
    return out;
  }

  /**
   * Bounds of one topic, its metadata asked by name: on a cluster of thousands of topics,
   * cheaper than every topic's. Undefined where `read` would leave the topic out.
   */
  async readOne(topic: string): Promise<TopicBounds | undefined> {
    const at = (await this.list([topic], [LATEST, EARLIEST], true)).get(topic);
    return at === undefined ? undefined : { high: at.get(LATEST)!, low: at.get(EARLIEST)! };
  }

  /** `offsetsAt` of one topic, its metadata asked by name (see readOne). */
  async offsetsAtOne(
    topic: string,
    timestampsMs: number[],
  ): Promise<Map<number, Record<string, string>> | undefined> {
    return (await this.offsetsAt([topic], timestampsMs, true)).get(topic);
  }

  /**
   * Per topic, per timestamp (epoch ms), per partition: the first offset whose record
   * timestamp is at or after it — the partition's end when no record is that late, as
   * KafkaJS's admin answers. The same topics as `read` are left out.
   */
  async offsetsAt(
    topics: string[],
    timestampsMs: number[],
    named = false,
  ): Promise<Map<string, Map<number, Record<string, string>>>> {
    const listed = await this.list(topics, [LATEST, ...timestampsMs], named);
    for (const at of listed.values()) {
      const high = at.get(LATEST)!;
      for (const t of timestampsMs) {
        const offsets = at.get(t)!;
        for (const [p, o] of Object.entries(offsets)) if (o === '-1') offsets[p] = high[p]!;
      }
      if (!timestampsMs.includes(LATEST)) at.delete(LATEST);
    }
    return listed;
  }

  /**
   * One ListOffsets per leader and timestamp, for every partition of `topics` it leads.
   * `named`: the metadata request names the topics (one that Kafka does not have is then an
   * error, taken as the topic left out); otherwise it asks for every topic.
   */
  private async list(
    topics: string[],
    timestamps: number[],
    named = false,
  ): Promise<Map<string, Map<number, Record<string, string>>>> {
    const out = new Map<string, Map<number, Record<string, string>>>();
    if (topics.length === 0) return out;
    const cluster = await this.cluster.ready();
    try {
      const wanted = new Set(topics);
      let metadata;
      try {
        metadata = await cluster.metadata(named ? { topics } : undefined);
      } catch (err) {
        if (named && (err as { type?: unknown }).type === UNKNOWN_TOPIC) return out;
        throw err;
      }
      // per leader, per topic, the partitions it leads
      const byLeader = new Map<number, Map<string, number[]>>();
      for (const t of metadata.topicMetadata) {
        if (!wanted.has(t.topic) || t.partitionMetadata.length === 0) continue;
        if (t.partitionMetadata.some((p) => p.leader < 0)) continue;
        out.set(t.topic, new Map(timestamps.map((ts) => [ts, {}])));
        for (const p of t.partitionMetadata) {
          let ofLeader = byLeader.get(p.leader);
          if (ofLeader === undefined) byLeader.set(p.leader, (ofLeader = new Map()));
          let partitions = ofLeader.get(t.topic);
          if (partitions === undefined) ofLeader.set(t.topic, (partitions = []));
          partitions.push(p.partitionId);
        }
      }
      await Promise.all(
        [...byLeader].flatMap(([leader, ofLeader]) =>
          [...new Set(timestamps)].map(async (timestamp) => {
            const broker = await cluster.findBroker({ nodeId: String(leader) });
            const { responses } = await broker.listOffsets({
              isolationLevel: READ_UNCOMMITTED,
              topics: [...ofLeader].map(([topic, partitions]) => ({
                topic,
                partitions: partitions.map((partition) => ({ partition, timestamp })),
              })),
            });
            for (const { topic, partitions } of responses) {
              const side = out.get(topic)!.get(timestamp)!;
              for (const p of partitions) side[String(p.partition)] = p.offset;
            }
          }),
        ),
      );
      return out;
    } catch (err) {
      await this.cluster.failed(err);
      throw err;
    }
  }
}
