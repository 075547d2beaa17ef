/**
 * End-to-end throughput of one subscription: events produced through the HTTP produce API
 * (acks=all, idempotent) → Kafka → bridge process → local webhook endpoint → 2xx.
 * Run with the local stack up (`npm run stack:up`):
 *   npm run bench:e2e -- [events] [partitions] [ordering,ordering...]
 * Measures each ordering mode in turn, in one run, on a fresh topic each; prints events/s and
 * produce→ack latency percentiles; writes JSON under bench/results/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApi } from '../services/api/startApi.ts';
import { BENCH_ENV } from './benchEnv.ts';
import { createRuntime } from '../services/runtime/createRuntime.ts';
import { call } from '../test/helpers/api.ts';
import { ServiceProcess } from '../test/helpers/serviceProcess.ts';
import { resetState, uniqueName } from '../test/helpers/testStack.ts';
import { waitFor } from '../test/helpers/waitFor.ts';

const total = Number(process.argv[2] ?? 20_000);
const partitions = Number(process.argv[3] ?? 3);
const orderings = (process.argv[4] ?? 'partition,key').split(',');
const batchSize = 500;
const env = BENCH_ENV;

const rt = await createRuntime('bench', { ...process.env, ...env });
await resetState(rt);
const api = await startApi(rt);
const base = `http://127.0.0.1:${api.port}`;

// The endpoint answers 200 at once and records produce→ack latency from the payload's stamp.
let latencies: number[] = [];
let warmed = false;
let lastAckAt = 0;
const sink = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const sentAt = (JSON.parse(Buffer.concat(chunks).toString()) as { sentAt: number }).sentAt;
    if (sentAt === 0) warmed = true;
    else {
      lastAckAt = Date.now();
      latencies.push(lastAckAt - sentAt);
    }
    res.writeHead(200).end();
  });
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
const bridge = new ServiceProcess('bridge', env);
await bridge.start('bridge started');
const filler = 'x'.repeat(1024 - 60);

async function measure(ordering: string): Promise<Record<string, unknown>> {
  latencies = [];
  warmed = false;
  const topic = uniqueName('bench');
  await call(base, 'POST', '/v1/topics', { name: topic, partitions });
  await call(base, 'POST', '/v1/subscriptions', { topic, endpoint, ordering, maxInFlight: 64 });
  // warm-up: one event through, so the consumer group has joined before the clock starts
  await call(base, 'POST', `/v1/topics/${topic}/events`, { key: 'warm', payload: { sentAt: 0 } });
  await waitFor(() => warmed, 'warm-up event delivered', 60_000);
  const t0 = Date.now();
  for (let produced = 0; produced < total; produced += batchSize) {
    const n = Math.min(batchSize, total - produced);
    const events = Array.from({ length: n }, (_, i) => ({
      key: `k${(produced + i) % 1000}`,
      payload: { sentAt: Date.now(), n: produced + i, filler },
    }));
    const res = await call(base, 'POST', `/v1/topics/${topic}/events`, { events });
    if (res.status !== 202) throw new Error(`produce failed: ${JSON.stringify(res.body)}`);
  }
  const producedAt = Date.now();
  await waitFor(() => latencies.length >= total, 'all events acknowledged', 600_000, 20);
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  const result = {
    ordering,
    events: total,
    partitions,
    payloadBytes: 1024,
    produceEventsPerSecond: Math.round(total / ((producedAt - t0) / 1000)),
    endToEndEventsPerSecond: Math.round(total / ((lastAckAt - t0) / 1000)),
    saturatedLatencyMs: { p50: pct(0.5), p99: pct(0.99), max: latencies.at(-1) },
  };
  console.log(
    `${ordering.padEnd(9)} ${String(result.endToEndEventsPerSecond).padStart(6)} events/s produced and acknowledged ` +
      `(${total} events of 1 KiB, ${partitions} partitions, 1,000 keys, one subscription); ` +
      `produce API alone ${result.produceEventsPerSecond} events/s; ` +
      `produce→ack under saturation p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`,
  );
  return result;
}

const results = [];
for (const ordering of orderings) results.push(await measure(ordering));
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(
  new URL(`./results/endToEndThroughput-${Date.now()}.json`, import.meta.url),
  JSON.stringify({ at: new Date().toISOString(), results }, null, 2) + '\n',
);

await bridge.kill('SIGTERM');
sink.close();
await api.stop();
await rt.close();
