import type { FanoutEvent } from '../events/fanoutEvent.ts';
import type { InFlightLimit } from './inFlightLimit.ts';

export type LaneOutcome = 'acknowledged' | 'abandoned';
export type OrderingMode = 'partition' | 'key' | 'none';

/**
 * Runs a wait (a backoff, a held event) without holding an in-flight slot, so that one key
 * waiting never keeps every other key of the subscription from being delivered.
 */
export type Idle = <T>(wait: () => Promise<T>) => Promise<T>;

export type DeliverFn = (
  event: FanoutEvent,
  isOpen: () => boolean,
  idle: Idle,
) => Promise<LaneOutcome>;

export type DeliverBatchFn = (
  events: FanoutEvent[],
  isOpen: () => boolean,
  idle: Idle,
) => Promise<LaneOutcome>;

/**
 * Several events per request: up to `maxEvents` that may go together under the ordering mode
 * (consecutive events of the partition, or of one key, or any in `none`), waiting up to
 * `maxWaitMs` from the first one's arrival for the batch to fill.
 */
export interface LaneBatching {
  maxEvents: number;
  maxWaitMs: number;
  deliver: DeliverBatchFn;
}

export interface LaneOptions {
  mode: OrderingMode;
  /** When set, events go out in batches through `batch.deliver` instead of `deliver`. */
  batch?: LaneBatching;
  /** Delivers one event; 'abandoned' means the lane was closed while it was trying. */
  deliver: DeliverFn;
  limit: InFlightLimit;
  /** Unsettled events (queued or in flight) at which the lane asks for its partition to pause. */
  maxQueued: number;
  onFull: () => void;
  onDrained: () => void;
}

interface Entry {
  event: FanoutEvent;
  done: boolean;
  arrivedAt: number;
}

/**
 * Delivers the events of one partition in the order the subscription asked for:
 * - partition: one at a time, in offset order;
 * - key: events of one key one at a time in offset order, different keys in parallel (records
 *   without a key have no order to keep);
 * - none: any number at once.
 * Parallelism is bounded by the subscription's in-flight limit. The commit watermark is the
 * lowest offset not yet settled, so nothing unacknowledged is ever committed past. Closing stops
 * new deliveries; requests in flight finish; unsettled events are fetched again by whoever owns
 * the partition next.
 */
export class OrderedLane {
  // unsettled events in offset order; `head` is the first not yet covered by the watermark
  private readonly entries: Entry[] = [];
  private head = 0;
  private readonly entryOf = new WeakMap<FanoutEvent, Entry>();
  // events free to start now, and per claimed key the events waiting behind it
  private readonly runnable: FanoutEvent[] = [];
  private runnableHead = 0;
  private readonly waiting = new Map<string, FanoutEvent[]>();
  private readonly running = new Set<Promise<void>>();
  private open = true;
  private full = false;
  private acknowledgedUpTo: string | undefined;
  private readonly o: LaneOptions;
  private readonly wake = (): void => this.pump();
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(options: LaneOptions) {
    this.o = options;
  }

  /** Events received and not yet settled. */
  get unsettled(): number {
    return this.entries.length - this.head;
  }

  /** The offset to commit (next to read), or undefined when nothing was settled yet. */
  get watermark(): string | undefined {
    return this.acknowledgedUpTo;
  }

  push(events: FanoutEvent[]): void {
    if (!this.open) return;
    for (const event of events) {
      const entry = { event, done: false, arrivedAt: Date.now() };
      this.entries.push(entry);
      this.entryOf.set(event, entry);
      const key = this.keyOf(event);
      const queue = key === null ? undefined : this.waiting.get(key);
      if (queue !== undefined) queue.push(event);
      else {
        if (key !== null) this.waiting.set(key, []);
        this.runnable.push(event);
      }
    }
    if (!this.full && this.unsettled >= this.o.maxQueued) {
      this.full = true;
      this.o.onFull();
    }
    this.pump();
  }

  /** The ordering key: a claimed key lets one event of it run at a time; null: no constraint. */
  private keyOf(event: FanoutEvent): string | null {
    switch (this.o.mode) {
      case 'partition':
        return '';
      case 'key':
        return event.key;
      case 'none':
        return null;
    }
  }

  private pump(): void {
    while (this.open && this.runnableHead < this.runnable.length) {
      const event = this.runnable[this.runnableHead]!;
      const key = this.keyOf(event);
      let followers: FanoutEvent[] = [];
      if (this.o.batch !== undefined) {
        followers = this.followersOf(event, key, this.o.batch.maxEvents - 1);
        const waited = Date.now() - this.entryOf.get(event)!.arrivedAt;
        if (followers.length + 1 < this.o.batch.maxEvents && waited < this.o.batch.maxWaitMs) {
          this.lingerTimer ??= setTimeout(() => {
            this.lingerTimer = undefined;
            this.pump();
          }, this.o.batch.maxWaitMs - waited);
          break;
        }
      }
      if (!this.o.limit.tryAcquire()) {
        this.o.limit.onRoom(this.wake);
        return;
      }
      this.runnable[this.runnableHead++] = undefined as unknown as FanoutEvent;
      if (followers.length > 0) {
        if (key === null) this.runnableHead += followers.length;
        else this.waiting.get(key)!.splice(0, followers.length);
      }
      if (this.runnableHead > 1024 && this.runnableHead * 2 > this.runnable.length) {
        this.runnable.splice(0, this.runnableHead);
        this.runnableHead = 0;
      }
      const run = this.run([event, ...followers]).finally(() => this.running.delete(run));
      this.running.add(run);
    }
    this.o.limit.offRoom(this.wake);
  }

  /** The events that may share a request with `event`, in offset order. */
  private followersOf(event: FanoutEvent, key: string | null, max: number): FanoutEvent[] {
    if (key !== null) return (this.waiting.get(key) ?? []).slice(0, max);
    const from = this.runnableHead + 1;
    return this.runnable.slice(from, from + max);
  }

  private async run(events: FanoutEvent[]): Promise<void> {
    let outcome: LaneOutcome;
    const isOpen = (): boolean => this.open;
    const idle: Idle = async (wait) => {
      this.o.limit.release();
      try {
        return await wait();
      } finally {
        await this.o.limit.acquire(isOpen);
      }
    };
    try {
      outcome =
        this.o.batch === undefined
          ? await this.o.deliver(events[0]!, isOpen, idle)
          : await this.o.batch.deliver(events, isOpen, idle);
    } catch {
      // callers handle their own failures; one that escapes leaves the events unsettled, to be
      // fetched again after the next rebalance or restart, rather than crash the process
      outcome = 'abandoned';
    } finally {
      this.o.limit.release();
    }
    // an answer that arrives after close still counts toward the final commit
    if (outcome === 'acknowledged') for (const e of events) this.settle(e);
    if (!this.open || outcome === 'abandoned') return;
    const key = this.keyOf(events[0]!);
    if (key !== null) {
      const queue = this.waiting.get(key)!;
      const next = queue.shift();
      if (next === undefined) this.waiting.delete(key);
      else this.runnable.push(next);
    }
    this.pump();
  }

  private settle(event: FanoutEvent): void {
    this.entryOf.get(event)!.done = true;
    while (this.head < this.entries.length && this.entries[this.head]!.done) {
      this.acknowledgedUpTo = String(BigInt(this.entries[this.head]!.event.offset) + 1n);
      this.entries[this.head++] = undefined as unknown as Entry; // release the payload
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    if (this.full && this.unsettled <= this.o.maxQueued / 2) {
      this.full = false;
      this.o.onDrained();
    }
  }

  /** Stops starting deliveries; resolves once the requests in flight have finished. */
  async close(): Promise<void> {
    this.open = false;
    clearTimeout(this.lingerTimer);
    this.o.limit.offRoom(this.wake);
    this.runnable.length = 0;
    this.runnableHead = 0;
    this.waiting.clear();
    await Promise.all([...this.running]);
  }
}
