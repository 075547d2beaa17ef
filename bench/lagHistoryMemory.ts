/**
 * Memory of the api's lag history (the graphs' points, 360 per subscription) as plain
 * LagPoint objects, as the lag monitor kept it before, and as LagHistory, side by side in one
 * run: S subscriptions filled tick by tick (every subscription of a tick shares its time, as
 * in the monitor) past the cap, so both are in their steady state, for
 *  - idle: zeros with a two-point blip per subscription somewhere in the window;
 *  - busy: every figure different at every point.
 * Prints heap used and array buffers (LagHistory's typed arrays live there) over a baseline
 * taken after a full GC, and how long filling and reading every history (what
 * GET /v1/lag?history=true does) took.
 *   `node --expose-gc bench/lagHistoryMemory.ts [subscriptions=10000] [points=360]`
 */
import { randomUUID } from 'node:crypto';
import { LagHistory, type LagPoint } from '../libs/lag/lagHistory.ts';

const subscriptions = Number(process.argv[2] ?? 10_000);
const capacity = Number(process.argv[3] ?? 360);
// past the cap, so the oldest points are being dropped as in a long-running api
const ticks = capacity + 40;
const INTERVAL_MS = 5000;

const collect = globalThis.gc;
if (collect === undefined) {
  console.error('run with node --expose-gc');
  process.exit(2);
}

interface Store {
  push(id: string, point: LagPoint): void;
  read(id: string): LagPoint[];
}

/** What lagMonitor.ts did before LagHistory: push, and shift once over the cap. */
function plainStore(): Store {
  const m = new Map<string, LagPoint[]>();
  return {
    push(id, point) {
      const points = m.get(id) ?? [];
      points.push(point);
      if (points.length > capacity) points.shift();
      m.set(id, points);
    },
    read: (id) => m.get(id) ?? [],
  };
}

function compactStore(): Store {
  const m = new Map<string, LagHistory>();
  return {
    push(id, point) {
      let h = m.get(id);
      if (h === undefined) {
        h = new LagHistory(capacity);
        m.set(id, h);
      }
      h.push(point);
    },
    read: (id) => m.get(id)?.points() ?? [],
  };
}

type Pattern = (sub: number, tick: number, at: number) => LagPoint;

const idle: Pattern = (sub, tick, at) => {
  const blip = (tick - (sub % ticks) + ticks) % ticks < 2;
  return {
    at,
    lagMessages: blip ? 3 : 0,
    lagSeconds: blip ? 1.7 : 0,
    deliveredPerSecond: blip ? 0.6 : 0,
  };
};

const busy: Pattern = (_sub, _tick, at) => ({
  at,
  lagMessages: Math.floor(Math.random() * 100_000),
  lagSeconds: Math.random() * 30,
  deliveredPerSecond: Math.random() * 500,
});

interface Memory {
  heap: number;
  buffers: number;
}

function memory(): Memory {
  // last-resort: after a regular full collection, heap used still counted the previous
  // measurement's store (Node 24), and the next one showed its release as a negative figure
  collect!({ type: 'major', flavor: 'last-resort' });
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

const ids = Array.from({ length: subscriptions }, () => randomUUID());
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1).padStart(7);

function measure(name: string, make: () => Store, pattern: Pattern): void {
  const before = memory();
  const store = make();
  let t = performance.now();
  const t0 = Date.now();
  for (let tick = 0; tick < ticks; tick++) {
    // one sampling time per tick, a few ms of jitter as the interval timer has
    const at = t0 + tick * INTERVAL_MS + (tick % 7);
    for (let s = 0; s < subscriptions; s++) store.push(ids[s]!, pattern(s, tick, at));
  }
  const fillMs = performance.now() - t;
  const after = memory();
  t = performance.now();
  let points = 0;
  for (const id of ids) points += store.read(id).length;
  const readMs = performance.now() - t;
  const heap = after.heap - before.heap;
  const buffers = after.buffers - before.buffers;
  console.log(
    `  ${name.padEnd(22)} ${mib(heap)} MiB heap ${mib(buffers)} MiB buffers ${mib(heap + buffers)} MiB total` +
      ` ${((heap + buffers) / points).toFixed(1).padStart(6)} B/point` +
      `  fill ${fillMs.toFixed(0).padStart(5)} ms  read all ${readMs.toFixed(0).padStart(4)} ms`,
  );
}

console.log(
  `${subscriptions} subscriptions x ${capacity} points (${ticks} ticks pushed), node ${process.version}`,
);
for (const [patternName, pattern] of [
  ['idle', idle],
  ['busy', busy],
] as const) {
  console.log(`${patternName}:`);
  measure('LagPoint[] (before)', plainStore, pattern);
  measure('LagHistory', compactStore, pattern);
}
