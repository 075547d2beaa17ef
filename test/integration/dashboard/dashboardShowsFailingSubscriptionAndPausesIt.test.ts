import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../../helpers/api.ts';
import { launchBrowser, type Browser } from '../../helpers/browser.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

let stack: TestStack;
let sink: WebhookSink;
let browser: Browser | undefined;

before(async () => {
  ({ stack, sink } = await startStackAndSink({
    bridge: true,
    env: { FANOUT_CIRCUIT_FAILURE_THRESHOLD: '3' },
  }));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stopAll(stack, sink);
});

test('the dashboard shows a subscription whose endpoint is down as failing next to a healthy one, and its pause button pauses it', async () => {
  const topic = await stack.createTopic(2);
  const healthy = await stack.subscribe(topic, sink.url);
  const down = await stack.subscribe(topic, 'http://127.0.0.1:9/hook');
  const events = Array.from({ length: 8 }, (_, i) => ({ key: `k${i}`, payload: { i } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  await waitFor(() => sink.acknowledged().length === 8, 'the healthy endpoint got everything');

  const page = await browser!.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  const res = await page.goto(`${stack.baseUrl}/dashboard`);
  assert.equal(res?.status(), 200);

  const row = (id: string) => page.locator(`tr[data-subscription="${id}"]`);
  const statusIn = (id: string) => row(id).locator('[data-field="status"]');
  await waitFor(
    async () =>
      ['failing', 'lagging', 'stalled'].includes((await statusIn(down).textContent()) ?? ''),
    'the down subscription shown as failing',
    30_000,
  );
  await waitFor(async () => (await statusIn(healthy).textContent()) === 'ok', 'the healthy one ok');
  assert.equal(
    await row(down)
      .locator('[data-field="lagMessages"]')
      .innerText()
      .then((t) => Number(t.split('\n')[0])),
    8,
  );
  assert.match(await row(down).locator('[data-field="causes"]').innerText(), /circuit is open/);
  assert.equal((await page.locator('#topics tr[data-topic]').count()) >= 1, true);
  if (process.env.FANOUT_DASHBOARD_SCREENSHOT) {
    // wait for a few points of history so the graphs have something to draw
    await waitFor(async () => (await page.locator('canvas').count()) > 0, 'graphs');
    await page.waitForTimeout(4000);
    await page.screenshot({ path: process.env.FANOUT_DASHBOARD_SCREENSHOT, fullPage: true });
  }

  await row(down).locator('button[data-action="pause"]').click();
  await waitFor(async () => (await statusIn(down).textContent()) === 'paused', 'shown paused');
  const sub = await call(stack.baseUrl, 'GET', `/v1/subscriptions/${down}`);
  assert.equal(sub.body.state, 'paused');
  await waitFor(() => stack.bridge!.workerCount === 1, 'its worker stopped');
  assert.equal(await row(down).locator('button[data-action="resume"]').count(), 1);
  assert.deepEqual(problems, [], 'the page logged no errors');
});
