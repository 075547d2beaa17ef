import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { runFanout, type Ran } from '../../helpers/fanoutCli.ts';
import { startTestStack, type TestStack } from '../../helpers/testStack.ts';

const BOOTSTRAP = randomBytes(32).toString('base64url');
let stack: TestStack;

before(async () => {
  stack = await startTestStack({
    bridge: false,
    env: { FANOUT_API_AUTH: 'keys', FANOUT_BOOTSTRAP_API_KEY: BOOTSTRAP },
  });
});
after(() => stack?.stop());

/** `fanout ARGS` against the stack, with FANOUT_API_KEY set to `key` or empty. */
function fanout(args: string[], key = ''): Promise<Ran> {
  return runFanout(args, { FANOUT_API_URL: stack.baseUrl, FANOUT_API_KEY: key });
}

test('the CLI creates, lists and revokes API keys with the key from FANOUT_API_KEY', async () => {
  const refused = await fanout(['topics', 'list']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /FANOUT_UNAUTHENTICATED/);

  const created = await fanout(['keys', 'create', 'reader', '--scope', 'read'], BOOTSTRAP);
  assert.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim().split('\n').at(-1)!;
  assert.match(token, /^fanout_[A-Za-z0-9_-]{43}$/);

  assert.equal((await fanout(['topics', 'list'], token)).code, 0);
  const denied = await fanout(['topics', 'create', 'x-denied'], token);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /FANOUT_FORBIDDEN/);

  const listed = await fanout(['--json', 'keys', 'list'], BOOTSTRAP);
  const keys = JSON.parse(listed.stdout) as { id: string; name: string; key?: string }[];
  const reader = keys.find((k) => k.name === 'reader')!;
  assert.ok(!listed.stdout.includes(token), 'the listing shows the token');

  const revoked = await fanout(['keys', 'revoke', reader.id], BOOTSTRAP);
  assert.equal(revoked.code, 0, revoked.stderr);
  const after = await fanout(['topics', 'list'], token);
  assert.equal(after.code, 1);
  assert.match(after.stderr, /FANOUT_UNAUTHENTICATED/);
  assert.equal((await fanout(['keys', 'create', 'x'], BOOTSTRAP)).code, 2);
});
