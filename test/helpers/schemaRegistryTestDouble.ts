import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredSchema {
  id: number;
  schema: string;
  schemaType: string | undefined;
}

/**
 * TEST DOUBLE of a Confluent-compatible schema registry: a real HTTP server answering the subset
 * of Confluent's REST API that @kafkajs/confluent-schema-registry calls (register, latest version,
 * schema by id, subject config), kept in memory. It stands in for a registry server, which
 * cannot be installed here; the client library, the Avro/JSON encoding and the wire format
 * under test are the real ones. Every request is recorded so tests can see what was called.
 */
export class SchemaRegistryTestDouble {
  readonly calls: string[] = [];
  private readonly subjects = new Map<string, StoredSchema[]>();
  private readonly byId = new Map<number, StoredSchema>();
  private readonly config = new Map<string, string>();
  // ids of a real registry are global and not 1, 2, 3 per subject; start high to prove we read them
  private nextId = 1000;
  private server: Server | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts, or after `stop()` comes back on the same port with what it held. */
  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Goes down: connections are refused until `start()` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    this.calls.push(`${req.method} ${path}`);
    const reply = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify(value));
    };
    const notFound = (code: number, message: string): void =>
      reply(404, { error_code: code, message });
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && (m = /^\/subjects\/([^/]+)\/versions$/.exec(path))) {
      const { schema, schemaType } = JSON.parse(body) as { schema: string; schemaType?: string };
      return reply(200, { id: this.register(m[1]!, schema, schemaType).id });
    }
    if (req.method === 'GET' && (m = /^\/subjects\/([^/]+)\/versions\/([^/]+)$/.exec(path))) {
      const versions = this.subjects.get(m[1]!);
      if (!versions) return notFound(40401, `Subject '${m[1]}' not found.`);
      const index = m[2] === 'latest' ? versions.length - 1 : Number(m[2]) - 1;
      const s = versions[index];
      if (!s) return notFound(40402, 'Version not found.');
      return reply(200, { subject: m[1], version: index + 1, ...s });
    }
    if (req.method === 'GET' && (m = /^\/schemas\/ids\/(\d+)$/.exec(path))) {
      const s = this.byId.get(Number(m[1]));
      if (!s) return notFound(40403, 'Schema not found');
      return reply(200, { schema: s.schema, schemaType: s.schemaType });
    }
    if (req.method === 'GET' && (m = /^\/config\/([^/]+)$/.exec(path))) {
      const level = this.config.get(m[1]!);
      if (!level)
        return notFound(
          40408,
          `Subject '${m[1]}' does not have subject-level compatibility configured`,
        );
      return reply(200, { compatibilityLevel: level });
    }
    if (req.method === 'PUT' && (m = /^\/config\/([^/]+)$/.exec(path))) {
      const { compatibility } = JSON.parse(body) as { compatibility: string };
      this.config.set(m[1]!, compatibility);
      return reply(200, { compatibility });
    }
    if (req.method === 'GET' && path === '/subjects') return reply(200, [...this.subjects.keys()]);
    notFound(404, `no route ${req.method} ${path}`);
  }

  private register(subject: string, schema: string, schemaType: string | undefined): StoredSchema {
    const versions = this.subjects.get(subject) ?? [];
    const same = versions.find((s) => s.schema === schema && s.schemaType === schemaType);
    if (same) return same;
    const stored = { id: this.nextId++, schema, schemaType };
    versions.push(stored);
    this.subjects.set(subject, versions);
    this.byId.set(stored.id, stored);
    return stored;
  }
}
