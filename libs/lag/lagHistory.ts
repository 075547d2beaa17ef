import { FanoutError } from '../errors/FanoutError.ts';

/** One point of a subscription's recent history, for graphs. */
export interface LagPoint {
  at: number;
  lagMessages: number;
  lagSeconds: number;
  deliveredPerSecond: number;
}

// figures per run: lagMessages, lagSeconds, deliveredPerSecond
const FIGURES = 3;
// run slots a history starts with; a quiet subscription never needs more
const MIN_RUN_SLOTS = 4;

/**
 * A subscription's last `capacity` lag points, oldest first, kept compact: the api holds one
 * per subscription, and as objects 10,000 subscriptions x 360 points were 3.6 M of them.
 * Point times sit in a ring of doubles; the figures are kept once per run of consecutive equal
 * points (a quiet subscription repeats 0, 0, 0 for hours), in a ring of runs that grows when
 * the figures keep changing and shrinks back when they settle. `points()` answers exactly what
 * a plain array of the pushed points, cut to the last `capacity`, would hold.
 */
export class LagHistory {
  private readonly capacity: number;
  private readonly times: Float64Array;
  // the oldest point's slot in `times`, and how many points there are
  private first = 0;
  private size = 0;
  private figures: Float64Array;
  private counts: Uint32Array;
  // the oldest run's slot in `counts` (and FIGURES slots from FIGURES x it in `figures`)
  private firstRun = 0;
  private runs = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new FanoutError('FANOUT_INTERNAL', `lag history capacity ${capacity} is not a count`);
    }
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    const slots = Math.min(MIN_RUN_SLOTS, capacity);
    this.figures = new Float64Array(slots * FIGURES);
    this.counts = new Uint32Array(slots);
  }

  get length(): number {
    return this.size;
  }

  /** How many runs of equal figures hold those points: what the figures cost. */
  get runCount(): number {
    return this.runs;
  }

  /** Adds a point as the newest, dropping the oldest once `capacity` are held. */
  push(point: LagPoint): void {
    if (this.size === this.capacity) this.dropOldest();
    this.times[(this.first + this.size) % this.capacity] = point.at;
    this.size++;
    if (this.runs > 0) {
      const last = (this.firstRun + this.runs - 1) % this.counts.length;
      const f = last * FIGURES;
      // Object.is: a run hands back its first point's figures, so -0 and 0 must not merge
      if (
        Object.is(this.figures[f], point.lagMessages) &&
        Object.is(this.figures[f + 1], point.lagSeconds) &&
        Object.is(this.figures[f + 2], point.deliveredPerSecond)
      ) {
        this.counts[last]!++;
        return;
      }
    }
    if (this.runs === this.counts.length) this.resize(this.counts.length * 2);
    const slot = (this.firstRun + this.runs) % this.counts.length;
    this.figures[slot * FIGURES] = point.lagMessages;
    this.figures[slot * FIGURES + 1] = point.lagSeconds;
    this.figures[slot * FIGURES + 2] = point.deliveredPerSecond;
    this.counts[slot] = 1;
    this.runs++;
  }

  /** The points held, oldest first, as new objects. */
  points(): LagPoint[] {
    const out: LagPoint[] = new Array<LagPoint>(this.size);
    let i = 0;
    for (let r = 0; r < this.runs; r++) {
      const slot = (this.firstRun + r) % this.counts.length;
      const f = slot * FIGURES;
      for (let n = this.counts[slot]!; n > 0; n--, i++) {
        out[i] = {
          at: this.times[(this.first + i) % this.capacity]!,
          lagMessages: this.figures[f]!,
          lagSeconds: this.figures[f + 1]!,
          deliveredPerSecond: this.figures[f + 2]!,
        };
      }
    }
    return out;
  }

  private dropOldest(): void {
    this.first = (this.first + 1) % this.capacity;
    this.size--;
    if (--this.counts[this.firstRun]! > 0) return;
    this.firstRun = (this.firstRun + 1) % this.counts.length;
    this.runs--;
    // a busy spell that settled gives its run slots back; halving only at a quarter full
    // keeps a subscription on the edge from resizing on every point
    if (this.counts.length > MIN_RUN_SLOTS && this.runs <= this.counts.length / 4) {
      this.resize(Math.max(MIN_RUN_SLOTS, Math.floor(this.counts.length / 2)));
    }
  }

  /** Moves the runs into rings of `slots` slots (never more than one per point), oldest at 0. */
  private resize(slots: number): void {
    const size = Math.min(slots, this.capacity);
    const figures = new Float64Array(size * FIGURES);
    const counts = new Uint32Array(size);
    for (let r = 0; r < this.runs; r++) {
      const from = (this.firstRun + r) % this.counts.length;
      counts[r] = this.counts[from]!;
      figures.set(this.figures.subarray(from * FIGURES, from * FIGURES + FIGURES), r * FIGURES);
    }
    this.figures = figures;
    this.counts = counts;
    this.firstRun = 0;
  }
}
