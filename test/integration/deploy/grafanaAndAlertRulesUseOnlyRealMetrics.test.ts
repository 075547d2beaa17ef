import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { call } from '../../helpers/api.ts';
import { startStackAndSink, stopAll, type TestStack } from '../../helpers/testStack.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import type { WebhookSink } from '../../helpers/webhookSink.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
let stack: TestStack;
let sink: WebhookSink;

before(async () => {
  ({ stack, sink } = await startStackAndSink({ bridge: true, router: true }));
});
after(() => stopAll(stack, sink));

interface Panel {
  title: string;
  targets?: { expr: string }[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { query?: unknown }[] };
}
interface RuleFile {
  groups: { rules: { alert: string; expr: string }[] }[];
}

const METRIC = /\b(?:fanout|process|nodejs)_[a-z0-9_]+\b/g;

/** Metric names a real /metrics exposes, histograms with their _bucket, _sum and _count. */
async function exposedNames(url: string): Promise<Set<string>> {
  const text = await (await fetch(url)).text();
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(m[1]!);
    if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m[1]! + s);
  }
  return names;
}

async function dashboard(): Promise<Dashboard> {
  const raw = await readFile(`${ROOT}deploy/grafana/fanout-dashboard.json`, 'utf8');
  return JSON.parse(raw) as Dashboard;
}

async function rules(): Promise<RuleFile> {
  return parse(await readFile(`${ROOT}deploy/prometheus/alerts.yml`, 'utf8')) as RuleFile;
}

test('every metric the Grafana dashboard and the alert rules use is exposed by a real /metrics', async () => {
  const topic = await stack.createTopic(2);
  await stack.subscribe(topic, sink.url);
  const events = Array.from({ length: 4 }, (_, i) => ({ payload: { i } }));
  await call(stack.baseUrl, 'POST', `/v1/topics/${topic}/events`, { events });
  await waitFor(() => sink.acknowledged().length === 4, 'delivered');
  const names = await exposedNames(`${stack.baseUrl}/metrics`);

  const d = await dashboard();
  const exprs = d.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr })),
  );
  exprs.push(
    ...d.templating.list.map((v) => ({ where: 'templating', expr: JSON.stringify(v.query ?? '') })),
  );
  for (const group of (await rules()).groups) {
    for (const r of group.rules) exprs.push({ where: r.alert, expr: r.expr });
  }
  const used = new Set<string>();
  for (const { where, expr } of exprs) {
    for (const name of expr.match(METRIC) ?? []) {
      used.add(name);
      assert.ok(names.has(name), `${where} uses ${name}, which /metrics does not expose`);
    }
  }
  // what the dashboard is for: lag, lag age, p99 latency, error rate, dead letters, router mode
  for (const name of [
    'fanout_subscription_lag_messages',
    'fanout_subscription_lag_seconds',
    'fanout_delivery_latency_seconds_bucket',
    'fanout_delivery_attempts_total',
    'fanout_dead_letters_stored',
    'fanout_topic_route_mode',
    'fanout_subscription_status',
  ]) {
    assert.ok(used.has(name), `nothing shows ${name}`);
  }
});

test('the alert rules cover lag growing, stalled, failing and dead letters, and promtool accepts rules, their unit tests and the scrape config', async () => {
  const alerts = (await rules()).groups.flatMap((g) => g.rules.map((r) => r.alert));
  for (const a of [
    'FanoutSubscriptionLagGrowing',
    'FanoutSubscriptionStalled',
    'FanoutSubscriptionFailing',
    'FanoutDeadLettersPresent',
  ]) {
    assert.ok(alerts.includes(a), `no ${a} rule`);
  }
  const dir = `${ROOT}deploy/prometheus`;
  const promtool = (...args: string[]) => run('promtool', args, { cwd: dir });
  await promtool('check', 'rules', 'alerts.yml');
  await promtool('check', 'config', 'prometheus.yml');
  const { stdout } = await promtool('test', 'rules', 'alerts.test.yml');
  assert.match(stdout, /SUCCESS/);
});
