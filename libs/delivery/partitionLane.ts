import type { FanoutEvent } from '../events/fanoutEvent.ts';

export type LaneOutcome = 'acknowledged' | 'abandoned';

export interface LaneOptions {
  /** Delivers one event; 'abandoned' means the lane was closed while it was trying. */
  deliver: (event: FanoutEvent, isOpen: () => boolean) => Promise<LaneOutcome>;
  /** Queue length at which the lane asks for its partition to be paused. */
  maxQueued: number;
  onFull: () => void;
  onDrained: () => void;
}

/**
 * Delivers the events of one partition strictly in offset order, one at a time. It knows the
 * commit watermark: the offset after the last event acknowledged with every earlier one.
 * Closing it stops it after the request in flight; queued events are dropped, to be fetched
 * again from the committed offset by whoever owns the partition next.
 */
export class PartitionLane {
  private readonly queue: FanoutEvent[] = [];
  private head = 0;
  private running: Promise<void> | undefined;
  private open = true;
  private full = false;
  private acknowledgedUpTo: string | undefined;
  private readonly options: LaneOptions;

  constructor(options: LaneOptions) {
    this.options = options;
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  /** The offset to commit (next to read), or undefined when nothing was acknowledged yet. */
  get watermark(): string | undefined {
    return this.acknowledgedUpTo;
  }

  push(events: FanoutEvent[]): void {
    if (!this.open) return;
    for (const e of events) this.queue.push(e);
    if (!this.full && this.queued >= this.options.maxQueued) {
      this.full = true;
      this.options.onFull();
    }
    this.running ??= this.drain();
  }

  private async drain(): Promise<void> {
    const isOpen = (): boolean => this.open;
    while (this.open && this.head < this.queue.length) {
      const event = this.queue[this.head]!;
      const outcome = await this.options.deliver(event, isOpen);
      // an answer that arrives after close still counts: its offset may be committed
      if (outcome === 'acknowledged') this.acknowledgedUpTo = String(BigInt(event.offset) + 1n);
      if (outcome === 'abandoned' || !this.open) break;
      this.queue[this.head++] = undefined as unknown as FanoutEvent; // release the payload
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      if (this.full && this.queued <= this.options.maxQueued / 2) {
        this.full = false;
        this.options.onDrained();
      }
    }
    this.running = undefined;
  }

  /** Stops after the delivery in flight; resolves once nothing of this lane runs any more. */
  async close(): Promise<void> {
    this.open = false;
    this.queue.length = 0;
    this.head = 0;
    await this.running;
  }
}
