import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { launchBrowser, type Browser } from '../../helpers/browser.ts';
import { startTestStack, uniqueName, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';

const BOOTSTRAP = randomBytes(32).toString('base64url');
const ADMIN = { authorization: `Bearer ${BOOTSTRAP}` };
let stack: TestStack;
let browser: Browser | undefined;

before(async () => {
  stack = await startTestStack({
    bridge: false,
    env: { FANOUT_API_AUTH: 'keys', FANOUT_BOOTSTRAP_API_KEY: BOOTSTRAP },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('with API keys required, the dashboard asks for one and then shows the topics', async () => {
  const topic = uniqueName('t');
  const made = await call(
    stack.baseUrl,
    'POST',
    '/v1/topics',
    { name: topic, partitions: 1 },
    ADMIN,
  );
  assert.equal(made.status, 201);
  const key = await call(
    stack.baseUrl,
    'POST',
    '/v1/api-keys',
    { name: 'dashboard', scopes: ['read'] },
    ADMIN,
  );
  assert.equal(key.status, 201);

  const page = await browser!.context.newPage();
  assert.equal((await page.goto(`${stack.baseUrl}/dashboard`))?.status(), 200);
  const form = page.locator('#auth');
  await waitFor(() => form.isVisible(), 'the key form shown after a 401');
  assert.equal(await page.locator(`#topics tr[data-topic="${topic}"]`).count(), 0);

  await page.locator('#api-key').fill(key.body.key as string);
  await page.locator('#auth button[type="submit"]').click();
  await waitFor(
    async () => (await page.locator(`#topics tr[data-topic="${topic}"]`).count()) === 1,
    'the topic listed with the key',
  );
  assert.equal(await form.isVisible(), false);
  // the key stays in the tab's session storage, never in the page's address
  assert.ok(!page.url().includes(key.body.key as string));
});
