import type { GroupCoordinators } from './groupCoordinators.ts';
import type { InternalBroker, InternalCluster, InternalClusterHandle } from './internalCluster.ts';

export interface GroupState {
  /** Stable, PreparingRebalance, CompletingRebalance, Empty or Dead (a group nobody used). */
  state: string;
  members: number;
}

// Groups per DescribeGroups request: 10,000 groups take 100 requests.
const GROUPS_PER_REQUEST = 100;
// A batch that failed on a retriable error (its coordinator moved, say) is asked once more.
const ATTEMPTS = 2;

/**
 * The states of many consumer groups, each asked of its remembered coordinator. KafkaJS's
 * `admin.describeGroups` sends a FindCoordinator request for every group on every call and
 * copies its list of the groups seen so far once per group: for the lag monitor's thousands of
 * groups every few seconds that was most of what the api allocated, and its heap grew to match.
 */
export class GroupStateReader {
  private readonly cluster: InternalClusterHandle;
  private readonly coordinators: GroupCoordinators;

  constructor(cluster: InternalClusterHandle, coordinators: GroupCoordinators) {
    this.cluster = cluster;
    this.coordinators = coordinators;
  }

  async states(groupIds: string[]): Promise<Map<string, GroupState>> {
    const out = new Map<string, GroupState>();
    for (let i = 0; i < groupIds.length; i += GROUPS_PER_REQUEST) {
      const batch = groupIds.slice(i, i + GROUPS_PER_REQUEST);
      for (let attempt = 1; ; attempt++) {
        const cluster = await this.cluster.ready();
        try {
          await this.describe(cluster, batch, out);
          break;
        } catch (err) {
          this.coordinators.forget(batch);
          if (!(await this.cluster.failed(err)) || attempt >= ATTEMPTS) throw err;
        }
      }
    }
    return out;
  }

  private async describe(
    cluster: InternalCluster,
    groupIds: string[],
    out: Map<string, GroupState>,
  ): Promise<void> {
    const coordinators = await Promise.all(groupIds.map((id) => this.coordinators.of(cluster, id)));
    const byCoordinator = new Map<InternalBroker, string[]>();
    groupIds.forEach((id, k) => {
      const coordinator = coordinators[k]!;
      const ids = byCoordinator.get(coordinator);
      if (ids === undefined) byCoordinator.set(coordinator, [id]);
      else ids.push(id);
    });
    await Promise.all(
      [...byCoordinator].map(async ([coordinator, ids]) => {
        const { groups } = await coordinator.describeGroups({ groupIds: ids });
        for (const g of groups) out.set(g.groupId, { state: g.state, members: g.members.length });
      }),
    );
  }
}
