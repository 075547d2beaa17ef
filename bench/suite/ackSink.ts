import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stampsOf } from './benchPayload.ts';

/**
 * The webhook endpoint every contender pushes to in the throughput rounds: answers 200 as soon
 * as the body is in, counts acknowledged events (a batch, a JSON array of events, counts each
 * of them), notes the first and the `target`-th. Listeners run synchronously at those moments,
 * so CPU readings taken there bracket exactly the measured deliveries. (Latency rounds use
 * `LatencySink`, a process of its own.)
 */
export class AckSink {
  acked = 0;
  firstAt = 0;
  /** Events of the first request: they arrived at the clock's start, so rates leave them out. */
  firstCount = 0;
  lastAt = 0;
  private target = Infinity;
  private onFirst: (() => void) | undefined;
  private onTarget: (() => void) | undefined;
  private server: Server | undefined;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hook`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, { 'content-length': '0' }).end();
        const now = Date.now();
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        const stamps = stampsOf(body);
        const before = this.acked;
        this.acked += stamps.length;
        this.lastAt = now;
        if (before === 0) {
          this.firstAt = now;
          this.firstCount = stamps.length;
          this.onFirst?.();
        }
        if (before < this.target && this.acked >= this.target) this.onTarget?.();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  /** Starts a new count; `onTarget` fires when `target` acknowledgements are in. */
  reset(target = Infinity, onFirst?: () => void, onTarget?: () => void): void {
    this.acked = 0;
    this.firstAt = 0;
    this.firstCount = 0;
    this.lastAt = 0;
    this.target = target;
    this.onFirst = onFirst;
    this.onTarget = onTarget;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}
