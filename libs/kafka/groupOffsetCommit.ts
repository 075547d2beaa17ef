import { setTimeout as sleep } from 'node:timers/promises';
import { FanoutError } from '../errors/FanoutError.ts';
import type { InternalClusterHandle } from './internalCluster.ts';

/*
 * KafkaJS 2.x has no public equivalent of Kafka's `AdminClient.alterConsumerGroupOffsets`: its
 * `admin.setOffsets` joins the group with a throwaway consumer, which costs the broker's
 * initial rebalance delay (3 s by default) plus a join and a leave — about 5 s for every new
 * subscription, seek and pull. Kafka's own admin commits instead as a member of no generation
 * (generation -1, no member id), which the group coordinator accepts while the group has no
 * members; this does the same over KafkaJS's connections, so TLS, SASL and retries stay
 * KafkaJS's.
 */

// What the coordinator says to a commit from outside a group that has live members (KafkaJS's
// names for Kafka's error codes).
const GROUP_HAS_MEMBERS = new Set([
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'REBALANCE_IN_PROGRESS',
]);
// A coordinator moving or loading, a timeout, a dropped connection: KafkaJS marks them
// retriable, and the coordinator is looked up again on each attempt. A coordinator's
// partition moving after a broker died takes seconds: about 10 s of attempts in all.
const ATTEMPTS = 12;
const MAX_PAUSE_MS = 1000;

/** Commits consumer-group offsets from outside the group, as Kafka's admin client does. */
export class GroupOffsetCommitter {
  private readonly cluster: InternalClusterHandle;

  constructor(cluster: InternalClusterHandle) {
    this.cluster = cluster;
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
        const cluster = await this.cluster.ready();
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
        const retriable = (err as { retriable?: unknown }).retriable === true;
        if (!retriable || attempt >= ATTEMPTS) throw err;
        await sleep(Math.min(MAX_PAUSE_MS, 200 * attempt));
      }
    }
  }
}
