import type { FanoutEvent } from '../events/fanoutEvent.ts';
import type { PartitionFeed } from '../kafka/subscriptionConsumer.ts';
import type { Logger } from '../log/logger.ts';
import { InFlightLimit } from './inFlightLimit.ts';
import {
  OrderedLane,
  type DeliverFn,
  type LaneBatching,
  type OrderingMode,
} from './orderedLane.ts';

/** What the lanes need from the consumer that feeds them. */
export interface LaneControl {
  pause(partition: number): void;
  resume(partition: number): void;
  /** The consumer's assignment epoch now (see SubscriptionConsumer.epoch). */
  epoch(): number;
  /** False when the epoch of the work has passed and nothing was committed. */
  commit(partition: number, offset: string, epoch: number): Promise<boolean>;
}

export interface DeliveryLanesOptions {
  control: LaneControl;
  deliver: DeliverFn;
  /** Batched delivery instead of `deliver`, for subscriptions that opted in. */
  batch?: LaneBatching;
  /** Ids among these events already delivered (dedupe); they are acknowledged unsent. */
  alreadyDelivered: (events: FanoutEvent[]) => Promise<Set<string>>;
  /** Runs before a partition's lane starts, with its first offset (e.g. to load retry state). */
  prepareLane?: (partition: number, firstOffset: string) => Promise<void>;
  maxQueuedPerPartition: number;
  ordering: OrderingMode;
  /** Requests in flight for the whole subscription, all partitions together. */
  maxInFlight: number;
  commitIntervalMs: number;
  log: Logger;
}

/**
 * One subscription's delivery lanes, one per partition of the current assignment (each keeping
 * the subscription's ordering mode, all sharing its in-flight limit), and the
 * commits that follow them: every `commitIntervalMs` each lane's watermark is committed if it
 * moved. A full lane pauses only its own partition. A rebalance voids every lane: each commits
 * what it has, stops after its request in flight, and the new assignment starts afresh from
 * the committed offsets.
 */
export class DeliveryLanes implements PartitionFeed {
  private lanes = new Map<number, OrderedLane>();
  // the consumer's epoch when each lane started: its commits are valid only in that epoch
  private readonly epochOf = new WeakMap<OrderedLane, number>();
  private readonly committed = new Map<number, string>();
  private readonly paused = new Set<number>();
  private readonly skip = new WeakSet<FanoutEvent>();
  // ids of the events handed to the current lanes and not yet settled (renewed with the lanes)
  private unsettledIds = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  /** The subscription's adaptive in-flight cap, shared by its lanes. */
  readonly limit: InFlightLimit;
  private stopped = false;
  private readonly o: DeliveryLanesOptions;

  constructor(options: DeliveryLanesOptions) {
    this.o = options;
    this.limit = new InFlightLimit(options.maxInFlight);
    this.timer = setInterval(() => void this.commitAll(this.lanes), options.commitIntervalMs);
  }

  async push(partition: number, events: FanoutEvent[]): Promise<void> {
    if (this.stopped) return;
    // A stop or a reset while this batch waits on Redis or PostgreSQL voids it: a lane made
    // after that would deliver it beside the closed lane still retrying an earlier offset (out
    // of order), and no one would close it. The batch is fetched again from the committed offset.
    const generation = this.lanes;
    const delivered = await this.o.alreadyDelivered(events);
    if (this.stopped || generation !== this.lanes) return;
    const unsettled = this.unsettledIds;
    for (const e of events) {
      // A second copy of an event still on its way (a producer retried a write that had landed,
      // and both copies came in one fetch, before the first was marked) is not pushed again.
      if (delivered.has(e.id) || unsettled.has(e.id)) this.skip.add(e);
      else unsettled.add(e.id);
    }
    let lane = this.lanes.get(partition);
    if (lane === undefined) {
      await this.o.prepareLane?.(partition, events[0]!.offset);
      if (this.stopped || generation !== this.lanes) return;
      // another batch of this partition may have made its lane meanwhile
      lane = this.lanes.get(partition);
    }
    if (lane === undefined) {
      lane = new OrderedLane({
        mode: this.o.ordering,
        limit: this.limit,
        deliver: (event, isOpen, idle) =>
          this.skip.has(event)
            ? Promise.resolve('acknowledged')
            : this.o.deliver(event, isOpen, idle).finally(() => unsettled.delete(event.id)),
        ...(this.o.batch === undefined ? {} : { batch: this.skippingDelivered(this.o.batch) }),
        maxQueued: this.o.maxQueuedPerPartition,
        onFull: () => {
          this.paused.add(partition);
          this.o.control.pause(partition);
        },
        onDrained: () => {
          this.paused.delete(partition);
          this.o.control.resume(partition);
        },
      });
      this.lanes.set(partition, lane);
      this.epochOf.set(lane, this.o.control.epoch());
    }
    lane.push(events);
  }

  private skippingDelivered(batch: LaneBatching): LaneBatching {
    const unsettled = this.unsettledIds;
    return {
      ...batch,
      deliver: (events, isOpen, idle) => {
        const fresh = events.filter((e) => !this.skip.has(e));
        return fresh.length === 0
          ? Promise.resolve('acknowledged')
          : batch.deliver(fresh, isOpen, idle).finally(() => {
              for (const e of fresh) unsettled.delete(e.id);
            });
      },
    };
  }

  async reset(reason: string, fence: () => void): Promise<void> {
    const old = this.lanes;
    this.lanes = new Map();
    this.unsettledIds = new Set();
    if (old.size > 0)
      this.o.log.info('delivery lanes reset', { reason, partitions: [...old.keys()] });
    await this.closeLanes(old, fence);
    this.committed.clear();
  }

  /** Graceful stop: no new work, in-flight requests finish, acknowledged offsets committed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const lanes = this.lanes;
    this.lanes = new Map();
    await this.closeLanes(lanes);
  }

  private async closeLanes(lanes: Map<number, OrderedLane>, fence?: () => void): Promise<void> {
    // commit what is acknowledged now, while this member still owns the partitions
    await this.commitAll(lanes);
    fence?.();
    await Promise.all([...lanes.values()].map((l) => l.close()));
    await this.commitAll(lanes);
    for (const p of lanes.keys()) {
      if (this.paused.delete(p)) this.o.control.resume(p);
    }
  }

  private async commitAll(lanes: Map<number, OrderedLane>): Promise<void> {
    await Promise.all(
      [...lanes].map(async ([partition, lane]) => {
        const offset = lane.watermark;
        if (offset === undefined || this.committed.get(partition) === offset) return;
        try {
          if (await this.o.control.commit(partition, offset, this.epochOf.get(lane)!)) {
            this.committed.set(partition, offset);
          }
        } catch (err) {
          // a rebalance is under way; the next owner re-reads from the last commit
          this.o.log.warn('offset commit failed', { partition, offset, err });
        }
      }),
    );
  }
}
