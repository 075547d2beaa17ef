import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { ServiceProcess } from '../../helpers/serviceProcess.ts';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a bridge with FANOUT_HEALTH_PORT answers liveness and readiness probes', async () => {
  const port = await freePort();
  const bridge = new ServiceProcess('bridge', { FANOUT_HEALTH_PORT: String(port) });
  await bridge.start('health listening');
  try {
    const base = `http://127.0.0.1:${port}`;
    const live = await fetch(`${base}/healthz`);
    assert.equal(live.status, 200);
    assert.deepEqual(await live.json(), { status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), {
      status: 'ready',
      checks: { kafka: 'ok', postgres: 'ok', redis: 'ok' },
    });
    const other = await fetch(`${base}/v1/topics`);
    assert.equal(other.status, 404);
    assert.equal(
      ((await other.json()) as { error: { code: string } }).error.code,
      'FANOUT_NOT_FOUND',
    );
  } finally {
    assert.equal(await bridge.kill('SIGTERM'), 0);
  }
});
