import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
  /** Requests open at this one's arrival, itself included. */
  concurrent: number;
  /** The request path, e.g. to tell subscriptions sharing one sink apart. */
  path: string;
}

/** Decides the answer to one request: a status, a status with headers, or 'hang' (never answer). */
export type Responder = (
  req: Received,
) => number | { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';

/**
 * A real HTTP server standing in for a subscriber: records every request, answers as told,
 * and can go down (connections refused) and come back on the same port.
 */
export class WebhookSink {
  /** Requests answered 2xx. */
  readonly received: Received[] = [];
  /** Every request that arrived, whatever the answer. */
  readonly requests: Received[] = [];
  respond: Responder = () => 200;
  /** Most requests that were open at the same moment. */
  maxConcurrent = 0;
  private open = 0;
  delayMs = 0;
  private server: Server | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      this.open++;
      this.maxConcurrent = Math.max(this.maxConcurrent, this.open);
      res.on('close', () => this.open--);
      req.on('end', () => {
        const r: Received = {
          headers: req.headers,
          body: Buffer.concat(chunks),
          at: Date.now(),
          concurrent: this.open,
          path: req.url ?? '',
        };
        this.requests.push(r);
        const answer = this.respond(r);
        if (answer === 'hang') return;
        const {
          status,
          headers = {},
          delayMs = this.delayMs,
        } = typeof answer === 'number' ? { status: answer } : answer;
        const reply = (): void => {
          if (status >= 200 && status < 300) this.received.push(r);
          res.writeHead(status, headers).end();
        };
        if (delayMs > 0) setTimeout(reply, delayMs);
        else reply();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Goes down: new connections are refused until `start()` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Acknowledged requests only (2xx answered), in arrival order. */
  acknowledged(): Received[] {
    return this.received;
  }
}
