import { cpus } from 'node:os';
import type { Pusher, Reader, ReadResult } from './contender.ts';
import type { LatencyRound, ThroughputRound } from './measurePusher.ts';
import { median, spread } from './stats.ts';

export interface Row {
  name: string;
  kind: 'read ceiling' | 'push';
  connections: number | null;
  rounds: number;
  eventsPerSecond: number;
  spread: number;
  cpuPer1000: Record<string, number>;
  /** Median over rounds of the machine's busy cores while the contender ran (pushers only). */
  coresBusy?: number;
  /** Median over rounds of its processes' waits for a core, per second of the window, by role. */
  waitedShare?: Record<string, number>;
  ratios: Record<string, number>;
  latencyMs?: { p50: number; p99: number; p999: number; p99Spread: number; rounds: number };
}

const PUSH_CEILING = 'push ceiling: autocannon';
const NAIVE = 'naive: eachMessage+fetch+commit';

function medianByRole(rounds: Record<string, number>[]): Record<string, number> {
  const roles = new Set(rounds.flatMap((r) => Object.keys(r)));
  return Object.fromEntries(
    [...roles].map((role) => [role, median(rounds.map((r) => r[role] ?? NaN))]),
  );
}

/** Medians, spreads and ratios to the ceilings and the naive baseline. */
export function summarise(
  readers: Reader[],
  pushers: Pusher[],
  reads: Map<string, ReadResult[]>,
  throughput: Map<string, ThroughputRound[]>,
  latency: Map<string, LatencyRound[]>,
): Row[] {
  const rows: Row[] = [];
  for (const r of readers) {
    const results = reads.get(r.name) ?? [];
    const eps = results.map((x) => x.eventsPerSecond);
    rows.push({
      name: r.name,
      kind: 'read ceiling',
      connections: null,
      rounds: results.length,
      eventsPerSecond: median(eps),
      spread: spread(eps),
      cpuPer1000: medianByRole(results.map((x) => x.cpuPer1000)),
      ratios: {},
    });
  }
  for (const p of pushers) {
    const results = throughput.get(p.name) ?? [];
    const eps = results.map((x) => x.eventsPerSecond);
    const row: Row = {
      name: p.name,
      kind: 'push',
      connections: p.connections,
      rounds: results.length,
      eventsPerSecond: median(eps),
      spread: spread(eps),
      cpuPer1000: medianByRole(results.map((x) => x.cpuPer1000)),
      coresBusy: median(results.map((x) => x.coresBusy)),
      waitedShare: medianByRole(results.map((x) => x.waitedShare)),
      ratios: {},
    };
    const lat = latency.get(p.name);
    if (lat !== undefined && lat.length > 0) {
      row.latencyMs = {
        p50: median(lat.map((l) => l.p50)),
        p99: median(lat.map((l) => l.p99)),
        p999: median(lat.map((l) => l.p999)),
        p99Spread: spread(lat.map((l) => l.p99)),
        rounds: lat.length,
      };
    }
    rows.push(row);
  }
  const readCeilings = rows.filter((r) => r.kind === 'read ceiling');
  const pushCeilings = rows.filter((r) => r.name.startsWith(PUSH_CEILING));
  const naive = rows.find((r) => r.name === NAIVE);
  const readCeiling = Math.min(
    ...readCeilings.map((r) => r.eventsPerSecond).filter(Number.isFinite),
  );
  for (const row of rows) {
    if (row.kind !== 'push' || row.name.startsWith(PUSH_CEILING)) continue;
    // the push ceiling measured with as many connections as this contender keeps in flight
    const push = pushCeilings.find((c) => c.connections === row.connections) ?? pushCeilings[0];
    for (const c of readCeilings) row.ratios[c.name] = row.eventsPerSecond / c.eventsPerSecond;
    if (push !== undefined) {
      row.ratios['push ceiling'] = row.eventsPerSecond / push.eventsPerSecond;
      row.ratios['min(read ceiling, push ceiling)'] =
        row.eventsPerSecond / Math.min(readCeiling, push.eventsPerSecond);
    }
    if (naive !== undefined && naive !== row)
      row.ratios[NAIVE] = row.eventsPerSecond / naive.eventsPerSecond;
  }
  return rows;
}

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);

export function printReport(
  rows: Row[],
  settings: Record<string, unknown>,
  failures: { contender: string; phase: string; error: string }[],
): void {
  console.log(`\nsettings: ${JSON.stringify(settings)}`);
  const header = [
    'contender',
    'conns',
    'events/s',
    'spread',
    '×min(ceil)',
    '×push',
    '×naive',
    'CPU s/1k: own',
    'sink',
    'broker*',
    'cores busy',
    'own waited',
    'p50 ms',
    'p99 ms',
    'p99.9 ms',
  ];
  const table = rows.map((r) => {
    const own = Object.entries(r.cpuPer1000).filter(
      ([role]) => role !== 'sink' && !role.startsWith('broker'),
    );
    return [
      r.name,
      r.connections === null ? '' : String(r.connections),
      fmt(r.eventsPerSecond),
      `±${fmt(r.spread * 100, 0)}%`,
      fmt(r.ratios['min(read ceiling, push ceiling)'], 2),
      fmt(r.ratios['push ceiling'], 2),
      fmt(r.ratios[NAIVE], 1),
      own.map(([, v]) => fmt(v, 3)).join('+') || '–',
      fmt(r.cpuPer1000.sink, 3),
      fmt(r.cpuPer1000['broker (shared)'], 3),
      fmt(r.coresBusy, 2),
      Object.values(r.waitedShare ?? {})
        .map((v) => `${fmt(v * 100)}%`)
        .join('+') || '–',
      fmt(r.latencyMs?.p50),
      fmt(r.latencyMs?.p99),
      fmt(r.latencyMs?.p999),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]): string =>
    '| ' +
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') +
    ' |';
  console.log(line(header));
  console.log(
    '|' +
      widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') +
      '|',
  );
  for (const t of table) console.log(line(t));
  console.log('spread = (max − min) / median over rounds;');
  console.log('×push = events/s ÷ the push ceiling with as many connections as the contender;');
  console.log('×min(ceil) = events/s ÷ min(slowest read ceiling, that push ceiling);');
  console.log(
    'CPU s/1k = CPU seconds per 1,000 deliveries (or reads) per process; *broker is shared with every other user of the machine.',
  );
  console.log(
    `cores busy = the machine's cores in use over the measured window (of ${cpus().length}, all processes); own waited = seconds the contender's threads were ready to run with no core free, per second of that window.`,
  );
  for (const f of failures)
    console.log(`FAILED ${f.contender} (${f.phase}): ${f.error.split('\n')[0]}`);
}
