import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { test, type TestContext } from 'node:test';
import { patchRequestQueue } from '../../../libs/kafka/requestQueuePatch.ts';
import { waitFor } from '../../helpers/waitFor.ts';

const require = createRequire(import.meta.url);

// KafkaJS's own queue of one broker connection, driven without a socket: what it sends is
// recorded, answers are handed to it as the connection would.
interface Queue {
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  push(request: {
    entry: {
      correlationId: number;
      apiKey: number;
      apiName: string;
      apiVersion: number;
      resolve: () => void;
      reject: () => void;
    };
    expectResponse: boolean;
    sendRequest: () => void;
  }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  checkPendingRequests(): void;
  destroy(): void;
}
type QueueClass = new (options: Record<string, unknown>) => Queue;

const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as QueueClass;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

// destroyed after each test, passed or not: a queue's timer left running would hold the process
function queue(t: TestContext, maxInFlightRequests: number | null = null): Queue {
  const q = new RequestQueue({
    instrumentationEmitter: new EventEmitter(),
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'queue-test',
    broker: '127.0.0.1:9092',
    logger: quiet,
    isConnected: () => true,
  });
  t.after(() => q.destroy());
  return q;
}

function send(q: Queue, correlationId: number, sent: number[]): void {
  q.push({
    entry: {
      correlationId,
      apiKey: 3,
      apiName: 'Metadata',
      apiVersion: 1,
      resolve: () => undefined,
      reject: () => undefined,
    },
    expectResponse: true,
    sendRequest: () => sent.push(correlationId),
  });
}

const answer = (q: Queue, correlationId: number): void =>
  q.fulfillRequest({ correlationId, payload: Buffer.alloc(0), size: 0 });

test('the replacement is in place for the pinned KafkaJS', () => {
  assert.equal(patchRequestQueue(), true);
  assert.equal(patchRequestQueue(), true, 'applying it again changes nothing');
});

test('an answered queue with nothing waiting schedules no further check', async (t) => {
  patchRequestQueue();
  const q = queue(t);
  const sent: number[] = [];
  send(q, 1, sent);
  assert.deepEqual(sent, [1]);
  let checks = 0;
  const check = q.checkPendingRequests.bind(q);
  q.checkPendingRequests = () => {
    checks++;
    check();
  };
  answer(q, 1);
  assert.equal(checks, 1, 'the answer checks the queue once');
  assert.equal(q.throttleCheckTimeoutId, null, 'and leaves no timer behind');
  // unpatched, the check re-armed itself every millisecond from here on
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(checks, 1);
});

test('a request held back by the broker throttle goes out once the throttle ends', async (t) => {
  patchRequestQueue();
  const q = queue(t);
  const sent: number[] = [];
  q.maybeThrottle(60);
  const at = Date.now();
  send(q, 1, sent);
  assert.deepEqual(sent, [], 'queued while throttled');
  await waitFor(() => sent.length === 1, 'the throttled request sent', 2000);
  assert.ok(Date.now() - at >= 55, `sent after the throttle (${Date.now() - at} ms)`);
  answer(q, 1);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(q.throttleCheckTimeoutId, null, 'no timer once nothing waits');
});

test('a request over the in-flight limit goes out when an answer frees a slot', (t) => {
  patchRequestQueue();
  const q = queue(t, 1);
  const sent: number[] = [];
  send(q, 1, sent);
  send(q, 2, sent);
  assert.deepEqual(sent, [1], 'the second waits for the first');
  answer(q, 1);
  assert.deepEqual(sent, [1, 2]);
  answer(q, 2);
  assert.equal(q.pending.length, 0);
});
