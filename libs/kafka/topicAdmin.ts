import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka, PartitionMetadata } from 'kafkajs';
import { FanoutError } from '../errors/FanoutError.ts';
import { GroupOffsetCommitter } from './groupOffsetCommit.ts';
import { GroupCoordinators } from './groupCoordinators.ts';
import { GroupOffsetFetcher } from './groupOffsetFetch.ts';
import { GroupStateReader, type GroupState } from './groupStates.ts';
import { InternalClusterHandle } from './internalCluster.ts';
import { ManyTopicBounds, type TopicBounds } from './manyTopicBounds.ts';

export type PartitionOffsets = Record<string, string>;

// How long a new topic's partitions may take to get leaders before creation counts as failed.
const LEADER_WAIT_MS = 15_000;

/**
 * The topic and consumer-group operations Fanout needs, over one long-lived admin connection.
 * Offsets are maps from partition number (as a string key) to the decimal offset.
 */
export class TopicAdmin {
  private readonly admin: Admin;
  // KafkaJS internals, for what its admin does slowly or not at all; a cluster each, so that
  // one dropped after a failure does not cut the other's requests short
  private readonly clusters: InternalClusterHandle[];
  private readonly committer: GroupOffsetCommitter;
  private readonly bounds: ManyTopicBounds;
  private readonly fetcher: GroupOffsetFetcher;
  private readonly groupStateReader: GroupStateReader;
  private connected: Promise<void> | undefined;

  constructor(kafka: Kafka) {
    this.admin = kafka.admin();
    this.clusters = [
      new InternalClusterHandle(kafka),
      new InternalClusterHandle(kafka),
      new InternalClusterHandle(kafka),
    ];
    this.committer = new GroupOffsetCommitter(this.clusters[0]!);
    this.bounds = new ManyTopicBounds(this.clusters[1]!);
    // offsets and states of a group are asked of the same remembered coordinator
    const coordinators = new GroupCoordinators();
    this.fetcher = new GroupOffsetFetcher(this.clusters[2]!, coordinators);
    this.groupStateReader = new GroupStateReader(this.clusters[2]!, coordinators);
  }

  private async ready(): Promise<Admin> {
    this.connected ??= this.admin.connect().catch((err: unknown) => {
      this.connected = undefined;
      throw unavailable('cannot connect to Kafka', err);
    });
    await this.connected;
    return this.admin;
  }

  /** Creates the topic; false when it already existed. */
  async createTopic(name: string, partitions: number): Promise<boolean> {
    const admin = await this.ready();
    let created: boolean;
    try {
      created = await admin.createTopics({
        topics: [{ topic: name, numPartitions: partitions }],
        waitForLeaders: false,
      });
    } catch (err) {
      throw refusedTopic(name, err) ?? unavailable(`cannot create topic ${name}`, err);
    }
    // KafkaJS's own wait for leaders gives up on the first "does not host this topic-partition"
    // from a broker whose metadata lags the controller's. Ask for the offsets of every
    // partition until each leader answers: a leader named in metadata may not serve the
    // partition yet. By the topic's name: KafkaJS's admin would refresh every topic it was
    // ever asked about, for each topic made, quadratic in a burst of creations.
    const deadline = Date.now() + LEADER_WAIT_MS;
    for (;;) {
      try {
        const bounds = await this.bounds.readOne(name);
        if (bounds !== undefined && Object.keys(bounds.high).length === partitions) return created;
      } catch {
        // metadata not there yet, or the leaders not serving yet
      }
      if (Date.now() > deadline) {
        throw unavailable(`topic ${name} created but its partitions have no leader yet`, null);
      }
      await sleep(200);
    }
  }

  /** Creates the topic unless it exists; checking first keeps Kafka's "already exists" out of the logs. */
  async ensureTopic(name: string, partitions: number): Promise<boolean> {
    if ((await this.partitionCount(name)) !== undefined) return false;
    return this.createTopic(name, partitions);
  }

  /** Partition metadata of a topic, or undefined when Kafka has no such topic. */
  async partitionMetadata(name: string): Promise<PartitionMetadata[] | undefined> {
    const admin = await this.ready();
    try {
      const md = await admin.fetchTopicMetadata({ topics: [name] });
      return md.topics[0]?.partitions;
    } catch (err) {
      if ((err as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return undefined;
      throw unavailable(`cannot read metadata of ${name}`, err);
    }
  }

  /** The number of partitions of a topic, or undefined when Kafka has no such topic. */
  async partitionCount(name: string): Promise<number | undefined> {
    return (await this.partitionMetadata(name))?.length;
  }

  /** Per partition, the first offset still in the log (`low`) and the next to be written (`high`). */
  async offsetBounds(topic: string): Promise<{ low: PartitionOffsets; high: PartitionOffsets }> {
    await this.ready();
    return withUnavailable(`cannot read the offsets of ${topic}`, () =>
      withFreshMetadata(async () => (await this.bounds.readOne(topic)) ?? settling(topic), topic),
    );
  }

  /**
   * Bounds of many topics at once (see ManyTopicBounds); when Kafka cannot answer for all of
   * them together, topic by topic, leaving out those it cannot answer for.
   */
  async offsetBoundsOfMany(topics: string[]): Promise<Map<string, TopicBounds>> {
    try {
      return await this.bounds.read(topics);
    } catch {
      const out = new Map<string, TopicBounds>();
      await Promise.all(
        topics.map(async (t) => {
          const b = await this.offsetBounds(t).catch(() => undefined);
          if (b !== undefined) out.set(t, b);
        }),
      );
      return out;
    }
  }

  /**
   * `offsetsAt` for many topics and timestamps at once (see ManyTopicBounds): per topic, per
   * timestamp, per partition. When Kafka cannot answer for all of them together, topic by
   * topic, leaving out those it cannot answer for.
   */
  async offsetsAtMany(
    topics: string[],
    timestampsMs: number[],
  ): Promise<Map<string, Map<number, PartitionOffsets>>> {
    try {
      return await this.bounds.offsetsAt(topics, timestampsMs);
    } catch {
      const out = new Map<string, Map<number, PartitionOffsets>>();
      await Promise.all(
        topics.map(async (t) => {
          const at = await Promise.all(
            timestampsMs.map(async (ts) => [ts, await this.offsetsAt(t, ts)] as const),
          ).catch(() => undefined);
          if (at !== undefined) out.set(t, new Map(at));
        }),
      );
      return out;
    }
  }

  /** Per partition, the first offset whose record timestamp is at or after `timestampMs`. */
  async offsetsAt(topic: string, timestampMs: number): Promise<PartitionOffsets> {
    await this.ready();
    return withUnavailable(`cannot read the offsets of ${topic}`, () =>
      withFreshMetadata(
        async () =>
          (await this.bounds.offsetsAtOne(topic, [timestampMs]))?.get(timestampMs) ??
          settling(topic),
        topic,
      ),
    );
  }

  /** How many members a consumer group has right now (0 for an empty or unknown group). */
  async groupMemberCount(groupId: string): Promise<number> {
    const admin = await this.ready();
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.members.length ?? 0;
  }

  /**
   * State and member count of several groups, each asked of its remembered coordinator (see
   * GroupStateReader); the lag monitor asks for thousands every few seconds.
   */
  async groupStates(groupIds: string[]): Promise<Map<string, GroupState>> {
    return this.groupStateReader.states(groupIds);
  }

  /**
   * A group's committed offsets on a topic (partitions never committed left out), asked of its
   * coordinator directly (see GroupOffsetFetcher); `partitions`, when the caller knows them,
   * saves a metadata request — the lag monitor asks for every subscription every few seconds.
   */
  async committedOffsets(
    groupId: string,
    topic: string,
    partitions?: number[],
  ): Promise<PartitionOffsets> {
    return this.fetcher.fetch(groupId, topic, partitions);
  }

  /**
   * Commits offsets for a group that has no live members (a new subscription's group, a
   * paused one being moved); FANOUT_SUBSCRIPTION_BUSY while it has members.
   */
  async setGroupOffsets(groupId: string, topic: string, offsets: PartitionOffsets): Promise<void> {
    await withUnavailable(`cannot set the offsets of ${groupId}`, () =>
      this.committer.commit(groupId, topic, offsets),
    );
  }

  /** Deletes a consumer group; a group that still has members or is already gone is left as is. */
  async deleteGroup(groupId: string): Promise<boolean> {
    const admin = await this.ready();
    try {
      await admin.deleteGroups([groupId]);
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves when the cluster answers a metadata request. */
  async ping(): Promise<number> {
    const admin = await this.ready();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.clusters.map((c) => c.close()));
    if (this.connected) await this.admin.disconnect();
    this.connected = undefined;
  }
}

/**
 * A topic's offsets cannot be read while it is still settling: its metadata lists no partition
 * yet, or a partition without a leader (`settling`), or a leader that has not taken up the
 * partition it was just given answers "not the leader". These pass within moments, so they are
 * asked again; what still fails is an unavailable Kafka (503, retriable), never an internal
 * error. A topic Kafka does not know is asked again too: it may be one being made.
 */
async function withFreshMetadata<T>(fetch: () => Promise<T>, topic: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch();
    } catch (err) {
      const retriable = (err as { retriable?: unknown }).retriable === true;
      if (!retriable || attempt >= 8) {
        throw unavailable(`cannot read the offsets of topic ${topic}`, err);
      }
      await sleep(100 * attempt);
    }
  }
}

// Kafka's answers that say the request itself is wrong: sending it again cannot help.
const REFUSALS: Record<string, string> = {
  INVALID_TOPIC_EXCEPTION: 'name',
  INVALID_PARTITIONS: 'partitions',
  INVALID_REPLICATION_FACTOR: 'partitions',
  POLICY_VIOLATION: 'name',
  INVALID_CONFIG: 'name',
};

/**
 * A topic Kafka refused for what it is (e.g. a name that collides with another once '.' and
 * '_' are treated alike) as a validation error naming the field; undefined for other failures.
 */
function refusedTopic(name: string, err: unknown): FanoutError | undefined {
  const errors = (err as { errors?: unknown }).errors;
  const causes = Array.isArray(errors) ? (errors as unknown[]) : [err];
  for (const cause of causes) {
    const { type, message } = cause as { type?: string; message?: string };
    const field = type === undefined ? undefined : REFUSALS[type];
    if (field !== undefined) {
      return new FanoutError('FANOUT_VALIDATION', `Kafka refused topic ${name}: ${message}`, {
        field,
        cause: err,
      });
    }
  }
  return undefined;
}

/** For withFreshMetadata: the topic is left out of the answer, so it is not settled yet. */
function settling(topic: string): never {
  throw Object.assign(new Error(`topic ${topic} has no partition with a leader yet`), {
    retriable: true,
  });
}

async function withUnavailable<T>(message: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof FanoutError) throw err;
    throw unavailable(message, err);
  }
}

function unavailable(message: string, cause: unknown): FanoutError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new FanoutError('FANOUT_KAFKA_UNAVAILABLE', message + detail, { cause });
}
