import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { Received, WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;

before(async () => ({ stack, sink } = await startStackAndSink({ bridge: true })));

after(() => stopAll(stack, sink));

/** Verifies a delivery as a subscriber would, with the reference Standard Webhooks library. */
function verifies(secret: string, r: Received): boolean {
  try {
    new Webhook(secret).verify(r.body.toString('utf8'), {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    });
    return true;
  } catch {
    return false;
  }
}

test('every delivery is signed with a generated secret shown once; rotation keeps the old one valid for the overlap', async () => {
  const topic = await stack.createTopic(1);
  const created = await call(stack.baseUrl, 'POST', '/v1/subscriptions', {
    topic,
    endpoint: sink.url,
  });
  assert.equal(created.status, 201);
  const id = String(created.body.id);
  const first = String(created.body.secret);
  assert.match(first, /^whsec_/);
  const shown = await call(stack.baseUrl, 'GET', `/v1/subscriptions/${id}`);
  assert.equal(shown.body.secret, undefined, 'never shown again');
  assert.equal(shown.body.signed, true);

  let n = 0;
  const deliverOne = async (): Promise<Received> => {
    const before = sink.acknowledged().length;
    await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { payload: { n: n++ } });
    await waitFor(() => sink.acknowledged().length > before, 'delivery');
    return sink.acknowledged().at(-1)!;
  };

  const plain = await deliverOne();
  assert.ok(verifies(first, plain), 'verifies with the reference library');
  assert.ok(!verifies('whsec_' + Buffer.alloc(32, 1).toString('base64'), plain));

  const rotated = await call(stack.baseUrl, 'POST', `/v1/subscriptions/${id}/rotate-secret`, {
    overlapSeconds: 3600,
  });
  assert.equal(rotated.status, 200);
  const second = String(rotated.body.secret);
  assert.notEqual(second, first);
  assert.ok(rotated.body.previousSecretExpiresAt);
  // the running worker picks the rotation up within the registry refresh
  let during = await deliverOne();
  for (
    let i = 0;
    i < 20 && String(during.headers['webhook-signature']).split(' ').length < 2;
    i++
  ) {
    during = await deliverOne();
  }
  assert.equal(String(during.headers['webhook-signature']).split(' ').length, 2);
  assert.ok(verifies(second, during), 'the new secret verifies');
  assert.ok(verifies(first, during), 'the old secret still verifies during the overlap');

  const ended = await call(stack.baseUrl, 'POST', `/v1/subscriptions/${id}/rotate-secret`, {
    overlapSeconds: 0,
  });
  const third = String(ended.body.secret);
  let after = await deliverOne();
  for (let i = 0; i < 20 && !verifies(third, after); i++) after = await deliverOne();
  assert.ok(verifies(third, after));
  assert.ok(!verifies(second, after), 'no overlap asked: the replaced secret no longer verifies');
  assert.ok(!verifies(first, after));
});

test('a secret given by the user must be a whsec_ secret', async () => {
  const topic = await stack.createTopic(1);
  for (const secret of ['not-a-whsec-secret-at-all', 'whsec_short']) {
    const res = await call<{ error: { field: string } }>(
      stack.baseUrl,
      'POST',
      '/v1/subscriptions',
      {
        topic,
        endpoint: sink.url,
        secret,
      },
    );
    assert.equal(res.status, 400);
    assert.equal(res.body.error.field, 'secret');
  }
  const own = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
  const res = await call(stack.baseUrl, 'POST', '/v1/subscriptions', {
    topic,
    endpoint: sink.url,
    secret: own,
  });
  assert.equal(res.status, 201);
  assert.equal(res.body.secret, own);
});
