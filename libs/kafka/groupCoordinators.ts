import type { InternalBroker, InternalCluster } from './internalCluster.ts';

// Coordinators remembered at most; past that the memory starts again (groups come and go).
const MAX_REMEMBERED = 100_000;

/**
 * Each consumer group's coordinator, as last found. The lag monitor reads every group's offsets
 * and state every few seconds; a FindCoordinator request per group per read was most of what
 * the api allocated while sampling thousands of groups. A read that fails forgets its groups'
 * coordinators, so a coordinator that moved is found again on the next read.
 */
export class GroupCoordinators {
  private readonly known = new Map<string, InternalBroker>();
  private knownOf: InternalCluster | undefined;

  async of(cluster: InternalCluster, groupId: string): Promise<InternalBroker> {
    // a cluster made anew after a failure has brokers of its own
    if (cluster !== this.knownOf || this.known.size >= MAX_REMEMBERED) {
      this.known.clear();
      this.knownOf = cluster;
    }
    let coordinator = this.known.get(groupId);
    if (coordinator === undefined) {
      coordinator = await cluster.findGroupCoordinator({ groupId });
      this.known.set(groupId, coordinator);
    }
    return coordinator;
  }

  forget(groupIds: Iterable<string>): void {
    for (const id of groupIds) this.known.delete(id);
  }
}
