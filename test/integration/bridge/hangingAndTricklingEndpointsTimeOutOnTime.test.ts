import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;
const servers: Server[] = [];
const sockets = new Set<Socket>();

before(async () => ({ stack, sink } = await startStackAndSink({ bridge: true })));

after(async () => {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
  await stopAll(stack, sink);
});

const TIMEOUT_MS = 1000;

/**
 * A TCP endpoint that accepts and then answers nothing (`hang`) or trickles an HTTP answer one
 * byte a second (`trickle`); records how long each connection lived until the client gave up.
 */
async function hostile(kind: 'hang' | 'trickle'): Promise<{ url: string; lived: number[] }> {
  const lived: number[] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    let requestSeenAt = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', () => {
      if (requestSeenAt !== 0) return;
      requestSeenAt = Date.now();
      if (kind === 'trickle') {
        const answer = 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n';
        let i = 0;
        timer = setInterval(() => socket.write(answer[i++ % answer.length]!), 1000);
      }
    });
    socket.on('close', () => {
      clearInterval(timer);
      sockets.delete(socket);
      if (requestSeenAt !== 0) lived.push(Date.now() - requestSeenAt);
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, lived };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

test('endpoints that never answer or trickle a byte a second are cut off at their timeout, and a healthy subscription beside them keeps its pace', async () => {
  const topic = await stack.createTopic(3);
  const hang = await hostile('hang');
  const trickle = await hostile('trickle');
  const slowRetry = { retry: { initialDelayMs: 50, maxDelayMs: 200, maxAttempts: 1000 } };
  for (const url of [hang.url, hang.url, trickle.url, trickle.url]) {
    await stack.subscribe(topic, url, { ...slowRetry, timeoutMs: TIMEOUT_MS, ordering: 'none' });
  }
  await stack.subscribe(topic, sink.url);
  const events = Array.from({ length: 60 }, (_, n) => ({ key: `k${n}`, payload: { n } }));
  const sentAt = Date.now();
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  await waitFor(() => sink.acknowledged().length === 60, 'the healthy subscription got all 60');
  const healthyMs = Date.now() - sentAt;
  await waitFor(
    () => hang.lived.length >= 10 && trickle.lived.length >= 10,
    'enough timed-out attempts at both hostile endpoints',
  );
  const figures = {
    timeoutMs: TIMEOUT_MS,
    hangCutAfterMs: { median: median(hang.lived), max: Math.max(...hang.lived) },
    trickleCutAfterMs: { median: median(trickle.lived), max: Math.max(...trickle.lived) },
    healthyAllDeliveredInMs: healthyMs,
  };
  console.log(JSON.stringify({ hostileEndpoints: figures }));
  for (const lived of [hang.lived, trickle.lived]) {
    // cut off by the timeout, not much after it (the median; single attempts may be late by
    // whatever else the machine is doing). Seen from the endpoint the clock starts when the
    // request arrives, after the bridge started it (connecting, writing): on a loaded machine
    // that can eat most of the timeout, so there is no lower bound to check from here.
    assert.ok(median(lived) <= TIMEOUT_MS + 100, `cut at ${median(lived)} ms`);
  }
  assert.ok(healthyMs < 10_000, `the healthy subscription took ${healthyMs} ms for 60 events`);
});
