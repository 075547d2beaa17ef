import { createServer, type Server } from 'node:http';
import type { Runtime } from './createRuntime.ts';
import { checkDependencies } from './dependencyChecks.ts';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * `/healthz`, `/readyz` and `/metrics` for processes that serve no API (bridge, router), so an
 * orchestrator can probe them and Prometheus scrape them like the api. Off (null) when FANOUT_HEALTH_PORT is 0, the local default, where
 * several processes share one machine.
 */
export async function startHealthServer(rt: Runtime): Promise<HealthServer | null> {
  if (rt.config.healthPort === 0) return null;
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (get && req.url === '/healthz') return reply(200, { status: 'ok' });
    if (get && req.url === '/metrics') {
      const registry = rt.metrics.registry;
      void registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => reply(500, { error: { code: 'FANOUT_INTERNAL', message: 'metrics failed' } }),
      );
      return;
    }
    if (get && req.url === '/readyz') {
      void checkDependencies(rt).then((report) =>
        reply(report.ready ? 200 : 503, {
          status: report.ready ? 'ready' : 'unavailable',
          checks: report.checks,
        }),
      );
      return;
    }
    reply(404, {
      error: {
        code: 'FANOUT_NOT_FOUND',
        message: `no route ${req.method} ${req.url}`,
        field: null,
      },
    });
  });
  server.listen(rt.config.healthPort, rt.config.apiHost);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  rt.log.info('health listening', { host: rt.config.apiHost, port });
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
