import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { groupIdOf } from '../../../libs/registry/types.ts';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import { WebhookSink } from '../../helpers/webhookSink.ts';

/**
 * Endpoints that misbehave in every way an HTTP peer can: redirect, answer with an endless
 * body, never answer, cut the answer off, reset the connection, trickle, speak garbage. The
 * bridge must bound each (timeout, body cap, no redirects), give up on them as the retry policy
 * says — every event delivered or dead-lettered, none stuck — and meanwhile a healthy
 * subscription on the same topic gets everything.
 */
const EVENTS = 12;
let stack: TestStack;
let sink: WebhookSink;
let trap: WebhookSink;
let hostile: Server;
let hostileUrl: string;
const sockets = new Set<Socket>();
/** Bytes the endless-body endpoint managed to send per request before the bridge hung up. */
const endlessSent: number[] = [];

before(async () => {
  ({ stack, sink } = await startStackAndSink());
  trap = await new WebhookSink().start();
  hostile = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(new URL(req.url!, 'http://x').pathname, req.socket, res));
  });
  hostile.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
});

after(async () => {
  for (const s of sockets) s.destroy();
  hostile?.close();
  await stopAll(stack, sink, trap);
});

function answer(path: string, socket: Socket, res: ServerResponse): void {
  switch (path) {
    case '/redirect':
      res.writeHead(307, { location: trap.url }).end();
      return;
    case '/endless': {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = (): void => {
        while (!res.destroyed && sent < 256 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.on('close', () => endlessSent.push(sent));
      pump();
      return;
    }
    case '/silent':
      return; // accepts the request, never answers
    case '/cut':
      res.writeHead(200, { 'content-length': '1000' });
      res.write('half an answer');
      setTimeout(() => socket.destroy(), 10);
      return;
    case '/reset':
      socket.resetAndDestroy();
      return;
    case '/trickle': {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 200);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case '/garbage':
      socket.end('SMTP READY\r\n\r\n\u0000\u0001 not http at all\r\n');
      return;
    default:
      res.writeHead(404).end();
  }
}

async function deadLetterTotal(id: string): Promise<number> {
  const res = await call(stack.baseUrl, 'GET', `/v1/subscriptions/${id}/dead-letters?limit=1`);
  return res.body.total as number;
}

/** Every event of the topic settled for this subscription: its group committed to the end. */
async function settled(id: string, topic: string): Promise<boolean> {
  const end = (await stack.rt.admin.offsetBounds(topic)).high;
  const committed = await stack.rt.admin.committedOffsets(groupIdOf(id), topic);
  return Object.entries(end).every(([p, high]) => committed[p] === high);
}

test('hostile endpoints are bounded and given up on; a healthy subscription still gets every event', async () => {
  const topic = await stack.createTopic(2);
  const healthy = await stack.subscribe(topic, sink.url);
  const give = {
    retry: { initialDelayMs: 50, maxDelayMs: 100, maxAttempts: 2 },
    timeoutMs: 500,
    ordering: 'none',
    maxInFlight: 20,
  };
  const modes = ['redirect', 'endless', 'silent', 'cut', 'reset', 'trickle', 'garbage'];
  // at once: each subscription sets its group's start offsets, which takes Kafka seconds
  const ids = await Promise.all(
    modes.map((mode) => stack.subscribe(topic, `${hostileUrl}/${mode}`, give)),
  );
  const subs = new Map(modes.map((mode, i) => [mode, ids[i]!]));

  const events = Array.from({ length: EVENTS }, (_, i) => ({ key: `k${i % 3}`, payload: { i } }));
  assert.equal(
    (await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events })).status,
    202,
  );

  await waitFor(
    () => sink.acknowledged().length === EVENTS,
    'the healthy subscription got every event',
    60_000,
  );
  for (const [mode, id] of subs) {
    await waitFor(
      () => settled(id, topic),
      `${mode}: every event delivered or dead-lettered`,
      90_000,
      250,
    );
  }
  const figures: Record<string, number> = {};
  for (const [mode, id] of subs) figures[mode] = await deadLetterTotal(id);
  console.log(
    'dead letters per hostile endpoint',
    JSON.stringify(figures),
    'endless body bytes sent per request (max)',
    Math.max(...endlessSent),
  );

  // an endless 2xx answer counts as delivered: only its status matters, its body is cut off
  assert.equal(figures.endless, 0);
  assert.ok(
    endlessSent.length >= EVENTS && Math.max(...endlessSent) < 32 * 1024 * 1024,
    'the endless body was read on',
  );
  // every other misbehaviour is a failed attempt, retried, then dead-lettered
  for (const mode of ['redirect', 'silent', 'cut', 'reset', 'trickle', 'garbage']) {
    assert.equal(figures[mode], EVENTS, `${mode} dead letters`);
  }
  assert.equal(trap.requests.length, 0, 'a redirect was followed');

  // and the healthy one is untouched: each event exactly once, and it keeps delivering
  const delivered = new Set(sink.acknowledged().map((r) => r.headers['webhook-id']));
  assert.equal(delivered.size, EVENTS);
  assert.equal(
    (await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { payload: 'after' })).status,
    202,
  );
  await waitFor(() => sink.acknowledged().length === EVENTS + 1, 'a later event delivered too');
  assert.equal(
    (await call(stack.baseUrl, 'GET', `/v1/subscriptions/${healthy}`)).body.state,
    'active',
  );
});
