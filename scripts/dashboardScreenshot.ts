// Takes docs/dashboard.png: a stack on the test database with subscriptions in every state,
// events flowing for half a minute, and the dashboard photographed in headless Chromium.
// `npm run docs:dashboard` (needs the local stack and deploy/local/chromium.sh).
import { setTimeout as sleep } from 'node:timers/promises';
import { call } from '../test/helpers/api.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { startTestStack } from '../test/helpers/testStack.ts';
import { WebhookSink } from '../test/helpers/webhookSink.ts';

const OUT = process.argv[2] ?? 'docs/dashboard.png';
const stack = await startTestStack({
  bridge: true,
  env: {
    FANOUT_CIRCUIT_FAILURE_THRESHOLD: '5',
    FANOUT_LAG_INTERVAL_MS: '1000',
    FANOUT_LAG_WINDOW_MS: '10000',
  },
});
const fast = await new WebhookSink().start();
const slow = await new WebhookSink().start();
slow.delayMs = 150;
const flaky = await new WebhookSink().start();
let n = 0;
flaky.respond = () => (++n % 3 === 0 ? 500 : 200);
const strict = await new WebhookSink().start();
strict.respond = () => 422;

const orders = await stack.createTopic(3);
const clicks = await stack.createTopic(2);
await stack.subscribe(orders, fast.url);
await stack.subscribe(orders, slow.url);
await stack.subscribe(orders, 'http://127.0.0.1:9/down');
await stack.subscribe(clicks, flaky.url);
await stack.subscribe(clicks, strict.url, { retry: { maxAttempts: 2, initialDelayMs: 50 } });
const paused = await stack.subscribe(clicks, fast.url);
await call(stack.baseUrl, 'POST', `/v1/subscriptions/${paused}/pause`);

const browser = await launchBrowser();
const page = await browser.context.newPage();
await page.goto(`${stack.baseUrl}/dashboard`);
const until = Date.now() + 30_000;
for (let i = 0; Date.now() < until; i++) {
  const events = Array.from({ length: 8 }, (_, k) => ({
    key: `c${(i + k) % 17}`,
    payload: { i, k },
  }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${orders}/events`, { events });
  await call(stack.baseUrl, 'POST', `/v1/topics/${clicks}/events`, { events: events.slice(0, 3) });
  await sleep(500);
}
await page.screenshot({ path: OUT, fullPage: true });
console.log(`wrote ${OUT}`);
await browser.close();
await stack.stop();
for (const s of [fast, slow, flaky, strict]) await s.stop();
