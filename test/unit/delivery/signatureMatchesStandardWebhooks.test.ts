import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretKey, signWebhook } from '../../../libs/delivery/signature.ts';

test('signs the Standard Webhooks reference vector byte for byte', () => {
  // the example the Standard Webhooks libraries test against
  const key = secretKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  const sig = signWebhook(
    key,
    'msg_p5jXN8AQM9LWM0D4loKWxJek',
    1614265330,
    Buffer.from('{"test": 2432232314}'),
  );
  assert.equal(sig, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});

test('a secret without the whsec_ prefix is used as its UTF-8 bytes', () => {
  assert.deepEqual(secretKey('plain-secret-value'), Buffer.from('plain-secret-value'));
  const a = signWebhook(secretKey('plain-secret-value'), 'id', 1, Buffer.from('x'));
  const b = signWebhook(secretKey('other-secret-value'), 'id', 1, Buffer.from('x'));
  assert.notEqual(a, b);
});
