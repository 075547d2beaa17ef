import assert from 'node:assert/strict';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../../libs/config/loadConfig.ts';
import { postEvent, type Endpoint } from '../../../libs/delivery/postEvent.ts';
import type { FanoutEvent } from '../../../libs/events/fanoutEvent.ts';
import { EndpointTransport, useEndpointTransport } from '../../../libs/net/endpointTransport.ts';
import { makeTestCertificates, type TestCertificates } from '../../helpers/testCertificates.ts';
import { WebhookSink } from '../../helpers/webhookSink.ts';

const LOOPBACK = ['127.0.0.0/8', '::1'];
let certs: TestCertificates;
let sink: WebhookSink;
const servers: Server[] = [];

const event: FanoutEvent = {
  id: '0190a0f0-0000-7000-8000-000000000001',
  topic: 't',
  partition: 0,
  offset: '0',
  key: null,
  body: Buffer.from('{"a":1}'),
  contentType: 'application/json',
  timestampMs: Date.now(),
  headers: {},
};

const to = (url: string): Endpoint => ({ url, signingKeys: [] });

function rules(allow: string[], extraCa: string | null = null, maxResponseBytes = 64 * 1024) {
  useEndpointTransport(new EndpointTransport({ allow, extraCa, maxResponseBytes }));
}

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

before(async () => {
  certs = makeTestCertificates();
  sink = await new WebhookSink().start();
});

after(async () => {
  await sink.stop();
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  certs.remove();
});

test('a name that resolves to loopback is refused when the connection is made, not only at registration', async () => {
  const port = new URL(sink.url).port;
  rules(LOOPBACK);
  const allowed = await postEvent(to(`http://localhost:${port}/hook`), event, 1, 5000);
  assert.equal(allowed.ok, true, JSON.stringify(allowed));
  const before = sink.requests.length;
  rules([]);
  // a fresh URL: no pooled connection from the permissive rules can be reused
  const refused = await postEvent(to(`http://localhost:${port}/other`), event, 1, 5000);
  assert.equal(refused.ok, false);
  assert.match(
    (refused as { error: string }).error,
    /localhost resolves to a refused address: .*loopback/,
  );
  const literal = await postEvent(to(`http://127.0.0.1:${port}/hook`), event, 1, 5000);
  assert.match(
    (literal as { error: string }).error,
    /endpoint refused: 127\.0\.0\.1 is a loopback address/,
  );
  const mapped = await postEvent(to(`http://[::ffff:127.0.0.1]:${port}/hook`), event, 1, 5000);
  assert.equal(mapped.ok, false);
  assert.equal(sink.requests.length, before, 'a refused endpoint was reached');
});

test('a redirect is a failed attempt and is not followed', async () => {
  rules(LOOPBACK);
  const target = await new WebhookSink().start();
  try {
    sink.respond = () => ({ status: 307, headers: { location: target.url } });
    const outcome = await postEvent(to(sink.url), event, 1, 5000);
    assert.deepEqual(outcome, { ok: false, status: 307, error: 'HTTP 307' });
    assert.equal(target.requests.length, 0);
  } finally {
    sink.respond = () => 200;
    await target.stop();
  }
});

test('an answer is read only up to the cap: a 2xx with an endless body still counts', async () => {
  rules(LOOPBACK, null, 1024);
  let written = 0;
  const port = await listen(
    createHttpServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      // 4 KiB every few ms, never ending: only the cap lets the attempt finish
      const chunk = Buffer.alloc(4096, 'x');
      const timer = setInterval(() => {
        written += chunk.length;
        if (!res.write(chunk) && written > 64 * 1024 * 1024) clearInterval(timer);
      }, 2);
      res.on('close', () => clearInterval(timer));
    }),
  );
  const outcome = await postEvent(to(`http://127.0.0.1:${port}/hook`), event, 1, 10_000);
  assert.deepEqual(outcome, { ok: true, status: 200 });
});

test('https endpoints: a certificate from the configured CA is trusted, others are not', async () => {
  const config = loadConfig({ FANOUT_ENDPOINT_CA_FILE: certs.caFile });
  assert.equal(config.endpointCaFile, certs.caPem);
  assert.throws(
    () => loadConfig({ FANOUT_ENDPOINT_CA_FILE: `${certs.dir}/missing.pem` }),
    /FANOUT_ENDPOINT_CA_FILE cannot read/,
  );
  assert.throws(
    () => loadConfig({ FANOUT_ENDPOINT_CA_FILE: `${certs.dir}/server.key` }),
    /holds no PEM certificate/,
  );

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  };
  const trustedPort = await listen(createHttpsServer(certs.server, handler));
  const roguePort = await listen(createHttpsServer(certs.untrusted, handler));

  rules(LOOPBACK, config.endpointCaFile);
  assert.deepEqual(await postEvent(to(`https://127.0.0.1:${trustedPort}/hook`), event, 1, 5000), {
    ok: true,
    status: 204,
  });
  assert.deepEqual(await postEvent(to(`https://localhost:${trustedPort}/hook`), event, 1, 5000), {
    ok: true,
    status: 204,
  });
  const rogue = await postEvent(to(`https://127.0.0.1:${roguePort}/hook`), event, 1, 5000);
  assert.equal(rogue.ok, false);
  assert.match((rogue as { error: string }).error, /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);

  // without the CA, the test CA's certificate is as untrusted as any
  rules(LOOPBACK, null);
  const unknownCa = await postEvent(to(`https://127.0.0.1:${trustedPort}/other`), event, 1, 5000);
  assert.equal(unknownCa.ok, false);
  assert.match((unknownCa as { error: string }).error, /UNABLE_TO_VERIFY|SELF_SIGNED|CERT/);
});
