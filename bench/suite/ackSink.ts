import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sentAtOf } from './benchPayload.ts';

/**
 * The one webhook endpoint every contender pushes to: answers 200 as soon as the body is in,
 * counts acknowledgements, notes the first and the `target`-th, and records produce→ack
 * latency for bodies stamped with a produce time. Listeners run synchronously at those
 * moments, so CPU readings taken there bracket exactly the measured deliveries.
 */
export class AckSink {
  acked = 0;
  firstAt = 0;
  lastAt = 0;
  latencies: number[] = [];
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
        const sentAt = sentAtOf(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
        if (sentAt !== undefined) this.latencies.push(now - sentAt);
        this.acked++;
        this.lastAt = now;
        if (this.acked === 1) {
          this.firstAt = now;
          this.onFirst?.();
        }
        if (this.acked === this.target) this.onTarget?.();
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
    this.lastAt = 0;
    this.latencies = [];
    this.target = target;
    this.onFirst = onFirst;
    this.onTarget = onTarget;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}
