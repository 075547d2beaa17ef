import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { FAST_RETRY } from '../../helpers/testEnv.ts';
import { startStackAndSink, stopAll, uniqueName, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

const BOOTSTRAP = randomBytes(32).toString('base64url');
const ADMIN = { authorization: `Bearer ${BOOTSTRAP}` };

let stack: TestStack;
let sink: WebhookSink;
let logged = '';
const write = process.stdout.write.bind(process.stdout);

before(async () => {
  // every line the services log in this process, at the most talkative level
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logged += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  ({ stack, sink } = await startStackAndSink({
    bridge: true,
    env: {
      FANOUT_LOG_LEVEL: 'debug',
      FANOUT_API_AUTH: 'keys',
      FANOUT_BOOTSTRAP_API_KEY: BOOTSTRAP,
    },
  }));
});

after(async () => {
  await stopAll(stack, sink);
  process.stdout.write = write;
});

test('creating keys and subscriptions, rotating secrets, failing and delivering log no secret or key', async () => {
  const created = await call(
    stack.baseUrl,
    'POST',
    '/v1/api-keys',
    { name: 'ops', scopes: ['admin'] },
    ADMIN,
  );
  assert.equal(created.status, 201);
  const token = created.body.key as string;
  const auth = { authorization: `Bearer ${token}` };

  const topic = uniqueName('t');
  assert.equal(
    (await call(stack.baseUrl, 'POST', '/v1/topics', { name: topic, partitions: 1 }, auth)).status,
    201,
  );
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  // the endpoint fails twice first, so retries and failures are logged too
  let failures = 2;
  sink.respond = () => (failures-- > 0 ? 500 : 200);
  const sub = await call(
    stack.baseUrl,
    'POST',
    '/v1/subscriptions',
    { topic, endpoint: sink.url, secret, ...FAST_RETRY },
    auth,
  );
  assert.equal(sub.status, 201);
  const rotated = await call(
    stack.baseUrl,
    'POST',
    `/v1/subscriptions/${sub.body.id as string}/rotate-secret`,
    {},
    auth,
  );
  assert.equal(rotated.status, 200);
  const newSecret = rotated.body.secret as string;
  assert.match(newSecret, /^whsec_/);

  // after creation and rotation the secrets are never shown again
  for (const path of [`/v1/subscriptions/${sub.body.id as string}`, '/v1/subscriptions']) {
    const shown = await fetch(stack.baseUrl + path, { headers: auth });
    const text = await shown.text();
    assert.equal(shown.status, 200);
    assert.ok(!text.includes('whsec_'), `${path} shows a secret`);
  }

  // a secret in a bad request is not echoed to the log either
  await call(
    stack.baseUrl,
    'POST',
    '/v1/subscriptions',
    { topic, endpoint: 'ftp://x', secret },
    auth,
  );
  await call(stack.baseUrl, 'GET', '/v1/topics', undefined, {
    authorization: `Bearer fanout_${'A'.repeat(43)}`,
  });

  const produced = await call(
    stack.baseUrl,
    'POST',
    `/v1/topics/${topic}/events`,
    { events: [{ payload: 1 }, { payload: 2 }] },
    auth,
  );
  assert.equal(produced.status, 202);
  await waitFor(() => sink.acknowledged().length === 2, 'both events delivered after the failures');
  assert.ok(sink.requests.length >= 4, 'the failures happened');

  assert.equal(
    (
      await call(
        stack.baseUrl,
        'DELETE',
        `/v1/api-keys/${created.body.id as string}`,
        undefined,
        ADMIN,
      )
    ).status,
    204,
  );
  assert.equal((await call(stack.baseUrl, 'GET', '/v1/topics', undefined, auth)).status, 401);

  await waitFor(() => logged.includes('api key revoked'), 'the revocation logged');
  for (const expected of [
    'api key created',
    'subscription created',
    'subscription secret rotated',
  ]) {
    assert.ok(logged.includes(expected), `the log lacks "${expected}": is it captured at all?`);
  }
  for (const [what, value] of [
    ['a webhook secret', 'whsec_'],
    ['the secret given', secret.slice(6)],
    ['the rotated secret', newSecret.slice(6)],
    ['the created API key', token],
    ['its random part', token.slice(13)],
    ['the bootstrap key', BOOTSTRAP],
    ['a bearer header', 'Bearer '],
  ] as const) {
    assert.ok(!logged.includes(value), `the log shows ${what}`);
  }
});
