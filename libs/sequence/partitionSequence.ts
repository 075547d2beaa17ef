import type { FanoutEvent } from '../events/fanoutEvent.ts';

/** Where a partition's sequence stands: the state after every event below `nextOffset`. */
export interface SequencePoint {
  nextOffset: string;
  nextSeq: number;
  /** The last event delivered before `nextOffset`; null when unknown or there was none. */
  prevEventId: string | null;
}

/** What one delivery carries so that its receiver can tell whether it missed one. */
export interface SequenceMark {
  seq: number;
  prevEventId: string | null;
}

/**
 * Numbers a subscription's events of one partition in offset order: every event it delivers
 * gets the next sequence number and the id of the one delivered before it. Events the
 * subscription filters out take no number. Numbers follow the log, not the order of delivery,
 * so they are the same whichever bridge delivers an event and however often.
 */
export class PartitionSequence {
  private readonly marks = new WeakMap<FanoutEvent, SequenceMark>();
  // the state after each observed event, in offset order, until a commit point passes it
  private readonly after: SequencePoint[] = [];
  private head = 0;
  private current: SequencePoint;

  constructor(start: SequencePoint) {
    this.current = start;
  }

  observe(events: FanoutEvent[], wanted: (e: FanoutEvent) => boolean): void {
    for (const e of events) {
      if (BigInt(e.offset) < BigInt(this.current.nextOffset)) continue; // fetched twice
      let { nextSeq, prevEventId } = this.current;
      if (wanted(e)) {
        this.marks.set(e, { seq: nextSeq, prevEventId });
        nextSeq++;
        prevEventId = e.id;
      }
      this.current = { nextOffset: String(BigInt(e.offset) + 1n), nextSeq, prevEventId };
      this.after.push(this.current);
    }
  }

  markOf(event: FanoutEvent): SequenceMark | undefined {
    return this.marks.get(event);
  }

  /** The state at a commit offset (everything below it observed); forgets what lies below. */
  pointAt(offset: string): SequencePoint | undefined {
    const target = BigInt(offset);
    let found: SequencePoint | undefined;
    while (this.head < this.after.length && BigInt(this.after[this.head]!.nextOffset) <= target) {
      found = this.after[this.head]!;
      this.after[this.head++] = undefined as unknown as SequencePoint;
    }
    if (this.head > 1024 && this.head * 2 > this.after.length) {
      this.after.splice(0, this.head);
      this.head = 0;
    }
    return found?.nextOffset === offset ? found : undefined;
  }
}
