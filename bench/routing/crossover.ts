import { SETTINGS } from '../../libs/config/settings.ts';
import { decideRoute } from '../../libs/routing/routingDecision.ts';

export interface CostRow {
  mode: 'read' | 'write';
  subscriptions: number;
  events: number;
  deliveries: number;
  seconds: number;
  processCpu: number;
  databaseCpu: number;
  brokerCpu: number;
  cpuPer1000: number;
  idleCpuPercent: number;
  idleDatabaseCpuPercent: number;
  rssMiB: number;
  // added later: absent from older result files
  /** Deliveries counted, per second of the measured stretch. */
  deliveriesPerSecond?: number;
  /** CPU seconds per 1,000 deliveries of each process on its own. */
  per1000?: { process: number; database: number; broker: number };
  /** Seconds to create the subscriptions through the API. */
  createSeconds?: number;
  /** Seconds from starting the process to the first event delivered to every subscription. */
  readySeconds?: number;
  /** Established connections from the delivering process to the broker. */
  brokerConnections?: number;
  /** The cap on the measured stretch was reached: figures are of what was delivered by then. */
  capped?: boolean;
}

/** Least-squares slope and intercept of y over x. */
function fit(points: [number, number][]): { slope: number; intercept: number } {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * The crossover, from a run's rows. What a topic adds to the bill, per second, at `rate`
 * events/s with N subscriptions:
 *   read:  N x (idle CPU of one consumer group) + rate x N x (CPU per read delivery)
 *   write: N x (idle CPU per subscription in write, ~0) + rate x N x (CPU per write delivery)
 * The processes' fixed cost (a bridge, a router) is paid once for all topics, so it is left
 * out: the slope of idle CPU over N is the per-subscription part. N cancels out, so write
 * fan-out is cheaper below one rate, whatever the subscription count:
 *   rate* = (idle per read subscription - idle per write subscription) / (CPU per write
 *           delivery - CPU per read delivery).
 */
export function analyse(rows: CostRow[]): void {
  const idle = (r: CostRow): number => (r.idleCpuPercent + r.idleDatabaseCpuPercent) / 100;
  // a capped row has no idle figures: deliveries were still going on
  const of = (mode: 'read' | 'write'): CostRow[] =>
    rows.filter((r) => r.mode === mode && r.capped !== true);
  if (of('read').length === 0 || of('write').length === 0) {
    console.log('\nno crossover: a mode has no complete row');
    return;
  }
  const readIdle = fit(of('read').map((r) => [r.subscriptions, idle(r)]));
  const writeIdle = fit(of('write').map((r) => [r.subscriptions, idle(r)]));
  const perDelivery = (mode: 'read' | 'write'): number => {
    const rs = of(mode);
    return rs.reduce((a, r) => a + r.cpuPer1000 / 1000, 0) / rs.length;
  };
  const cRead = perDelivery('read');
  const cWrite = perDelivery('write');
  console.log(
    `\nidle CPU per subscription: read ${(readIdle.slope * 100).toFixed(3)} % (fixed ${(readIdle.intercept * 100).toFixed(2)} %), write ${(writeIdle.slope * 100).toFixed(3)} % (fixed ${(writeIdle.intercept * 100).toFixed(2)} %)`,
  );
  console.log(
    `CPU per delivery (process + PostgreSQL, mean over N): read ${(cRead * 1000).toFixed(3)} ms, write ${(cWrite * 1000).toFixed(3)} ms`,
  );
  const saved = readIdle.slope - writeIdle.slope;
  const extra = cWrite - cRead;
  const crossover = extra <= 0 ? Infinity : saved / extra;
  console.log(
    `crossover: write fan-out costs less below ${crossover === Infinity ? 'any rate' : crossover <= 0 ? 'no rate' : crossover.toFixed(2) + ' events/s'} (per topic, any subscription count)`,
  );
  const thresholds = {
    maxSubscriptions: Number(SETTINGS.routerMaxSubscriptions.default),
    maxEventsPerSecond: Number(SETTINGS.routerMaxEventsPerSecond.default),
  };
  console.log(`default thresholds ${JSON.stringify(thresholds)} against the cheaper mode:`);
  let agree = 0;
  let total = 0;
  for (const n of [1, 2, 4, 16, 64]) {
    const line: string[] = [];
    for (const rate of [0.01, 0.1, 0.5, 1, 2, 10, 100]) {
      const cost = (idleSlope: number, c: number): number => n * idleSlope + rate * n * c;
      const cheaper =
        cost(writeIdle.slope, cWrite) < cost(readIdle.slope, cRead) ? 'write' : 'read';
      const picked = decideRoute(
        { subscriptions: n, eventsPerSecond: rate, pinned: null, current: 'read' },
        thresholds,
      ).mode;
      total++;
      if (picked === cheaper) agree++;
      line.push(`${rate}/s ${cheaper}${picked === cheaper ? '' : ` (default: ${picked})`}`);
    }
    console.log(`  ${String(n).padStart(3)} subs: ${line.join(', ')}`);
  }
  console.log(`the defaults pick the cheaper mode in ${agree} of ${total} cases`);
}
