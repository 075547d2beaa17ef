import type { OrderingMode } from '../delivery/orderedLane.ts';
import type { FanoutEvent } from '../events/fanoutEvent.ts';
import type { SequenceMark } from '../sequence/partitionSequence.ts';

/** A delivery row a worker holds: the event with its payload, and the lease that fences it. */
export interface LeasedDelivery {
  id: string;
  subscriptionId: string;
  event: FanoutEvent;
  attempts: number;
  firstAttemptAt: number | null;
  leaseToken: string;
  /** Epoch ms at which the lease lapses and the sweeper may hand the row to another worker. */
  leaseExpiresAt: number;
  /** The subscription's ordering when leased: 'partition' rows come in runs. */
  ordering: OrderingMode;
  /** Its fanout-seq and fanout-prev-id; undefined on rows made before rows were numbered. */
  sequence?: SequenceMark;
  /**
   * Set when an operator released this held row to the dead letters: the failure it was held
   * with, for the dead letter. The row is not delivered again.
   */
  releasedToDeadLetter?: { attempts: number; status: number | null; error: string };
}

/** The fence of every state change of a leased row. */
export interface LeaseFence {
  id: string;
  leaseToken: string;
}

/** Orders leased rows of one partition by offset (a run is delivered in this order). */
export function byOffset(a: LeasedDelivery, b: LeasedDelivery): number {
  return BigInt(a.event.offset) < BigInt(b.event.offset) ? -1 : 1;
}
