import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  generateSecret,
  parseSecret,
  secretKey,
  signWebhook,
} from '../../../libs/delivery/signature.ts';

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

test('generated secrets are well-formed and verify with the reference library', () => {
  const secret = generateSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
  assert.equal(parseSecret(secret)!.length, 32);
  const ts = Math.floor(Date.now() / 1000);
  const body = '{"a":1}';
  const signature = signWebhook(secretKey(secret), 'evt_1', ts, Buffer.from(body));
  const verified = new Webhook(secret).verify(body, {
    'webhook-id': 'evt_1',
    'webhook-timestamp': String(ts),
    'webhook-signature': signature,
  });
  assert.deepEqual(verified, { a: 1 });
});

test('secrets that are not whsec_ base64 of 24 to 64 bytes are refused', () => {
  assert.equal(parseSecret('plain-secret-value-long-enough'), undefined);
  assert.equal(parseSecret('whsec_' + Buffer.alloc(16).toString('base64')), undefined);
  assert.equal(parseSecret('whsec_' + Buffer.alloc(65).toString('base64')), undefined);
  assert.equal(parseSecret('whsec_not base64!'), undefined);
  assert.ok(parseSecret('whsec_' + Buffer.alloc(24, 7).toString('base64')));
});

test('secrets stored by earlier versions keep signing as they did', () => {
  assert.deepEqual(secretKey('plain-secret-value'), Buffer.from('plain-secret-value'));
  assert.deepEqual(
    secretKey('whsec_c2VjcmV0c2VjcmV0c2VjcmV0'),
    Buffer.from('secretsecretsecret'),
    'a short whsec_ secret is still base64-decoded',
  );
});
