import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { runFanout } from '../../helpers/fanoutCli.ts';
import { startTestStack, stopAll, type TestStack } from '../../helpers/testStack.ts';

const KEY = randomBytes(32).toString('base64url');
let stack: TestStack;

before(async () => {
  stack = await startTestStack({
    bridge: false,
    env: { FANOUT_API_AUTH: 'keys', FANOUT_BOOTSTRAP_API_KEY: KEY },
  });
});
after(() => stopAll(stack));

test('with API keys on, fanout sends $FANOUT_API_KEY and without it exits 1 naming the refusal', async () => {
  const without = await runFanout(['topics', 'list'], { FANOUT_API_URL: stack.baseUrl });
  assert.equal(without.code, 1);
  assert.match(without.stderr, /FANOUT_UNAUTHENTICATED/);
  const withKey = await runFanout(['--json', 'lag'], {
    FANOUT_API_URL: stack.baseUrl,
    FANOUT_API_KEY: KEY,
  });
  assert.equal(withKey.code, 0, withKey.stderr);
  assert.deepEqual(JSON.parse(withKey.stdout), []);
  assert.ok(!withKey.stderr.includes(KEY) && !without.stderr.includes(KEY));
});
