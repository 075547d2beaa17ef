import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over
 * "<webhook-id>.<webhook-timestamp>.<body>", base64, sent as "v1,<signature>"; several are
 * sent space-separated while a rotated secret is still honoured. Secrets have the form
 * "whsec_<base64>", the key being the decoded bytes, as the spec and its libraries use them.
 */
const PREFIX = 'whsec_';
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

export function generateSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** The key bytes of a secret, or undefined when it is not a well-formed whsec_ secret. */
export function parseSecret(secret: string): Buffer | undefined {
  if (!secret.startsWith(PREFIX)) return undefined;
  const b64 = secret.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const key = Buffer.from(b64, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) return undefined;
  return key;
}

export const SECRET_RULE = `a "whsec_" secret: whsec_ followed by ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes in base64`;

/**
 * The key bytes of a stored secret. New secrets are checked by `parseSecret` when accepted;
 * secrets stored by earlier versions, which took any string, keep signing as they did then:
 * a whsec_ secret base64-decoded, anything else as its UTF-8 bytes.
 */
export function secretKey(secret: string): Buffer {
  return (
    parseSecret(secret) ??
    (secret.startsWith(PREFIX)
      ? Buffer.from(secret.slice(PREFIX.length), 'base64')
      : Buffer.from(secret, 'utf8'))
  );
}

// An HMAC keyed with a KeyObject costs a quarter of one keyed with raw bytes, which Node turns
// into a new KeyObject on every call: each key is converted once, per key buffer.
const keyObjects = new WeakMap<Buffer, KeyObject>();

function keyObjectOf(key: Buffer): KeyObject {
  let keyObject = keyObjects.get(key);
  if (keyObject === undefined) {
    keyObject = createSecretKey(key);
    keyObjects.set(key, keyObject);
  }
  return keyObject;
}

export function signWebhook(
  key: Buffer,
  id: string,
  timestampSeconds: number,
  body: Buffer,
): string {
  const mac = createHmac('sha256', keyObjectOf(key));
  mac.update(`${id}.${timestampSeconds}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}
