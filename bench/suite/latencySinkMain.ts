/**
 * The latency rounds' webhook endpoint, in a process of its own: answers 200 once a body is in
 * and stamps each event's produce→ack latency there and then. Alone in its process, its loop
 * stalls only for its own small heap, not for the suite's producer, CPU readings and
 * bookkeeping, which would read as every contender's latency.
 *
 * Control, on the same port: `POST /_reset` starts a new count; `GET /_stats` answers
 * `{acked, latencies, loopMaxMs}` (the longest stall of this process's loop since the reset).
 * Prints `latency sink on <port>` when listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { stampsOf } from './benchPayload.ts';

let acked = 0;
let latencies: number[] = [];
let loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/_reset') {
      acked = 0;
      latencies = [];
      loop.disable();
      loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      res.writeHead(204).end();
      return;
    }
    if (req.url === '/_stats') {
      const loopMaxMs = Math.round(loop.max / 1e5) / 10;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ acked, latencies, loopMaxMs }));
      return;
    }
    res.writeHead(200, { 'content-length': '0' }).end();
    const now = Date.now();
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const stamps = stampsOf(body);
    for (const sentAt of stamps) if (sentAt !== undefined) latencies.push(now - sentAt);
    acked += stamps.length;
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  console.log(`latency sink on ${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
