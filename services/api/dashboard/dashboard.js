// Fanout's live dashboard: polls the API every two seconds and redraws. Plain browser
// JavaScript, served as is: no build step.
'use strict';

const POLL_MS = 2000;
const STATUS_ORDER = ['failing', 'stalled', 'lagging', 'paused', 'disabled', 'ok'];

// per subscription: the previous scrape's delivery counters, to turn them into rates
let previous = { at: 0, counters: new Map() };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : String(c));
  return node;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined || seconds < 0) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function rate(n) {
  if (n === null || n === undefined) return '—';
  return n >= 10 ? n.toFixed(0) : n.toFixed(1);
}

/** Prometheus text → samples of the metrics the dashboard reads. */
function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('fanout_delivery_')) continue;
    const m = /^([a-z_]+)\{(.*)\}\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of m[2].matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** Per subscription: attempts that failed, and the latency histogram's cumulative buckets. */
function deliveryCounters(samples) {
  const bySub = new Map();
  const of = (id) => {
    if (!bySub.has(id)) bySub.set(id, { failed: 0, buckets: new Map() });
    return bySub.get(id);
  };
  for (const s of samples) {
    const id = s.labels.subscription;
    if (!id) continue;
    if (s.name === 'fanout_delivery_attempts_total' && s.labels.outcome !== '2xx') {
      of(id).failed += s.value;
    } else if (s.name === 'fanout_delivery_latency_seconds_bucket') {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      of(id).buckets.set(le, s.value);
    }
  }
  return bySub;
}

/** The 99th percentile of the latencies observed between two scrapes (bucket upper bound). */
function p99(now, before) {
  if (!now) return null;
  const bounds = [...now.buckets.keys()].sort((a, b) => a - b);
  const delta = bounds.map((le) => now.buckets.get(le) - ((before && before.buckets.get(le)) || 0));
  const total = delta[delta.length - 1];
  if (!total) return null;
  const i = delta.findIndex((n) => n >= total * 0.99);
  return bounds[i] === Infinity ? bounds[bounds.length - 2] : bounds[i];
}

function sparkline(points, key, color, label) {
  const canvas = el('canvas', { width: 160, height: 40, 'aria-label': label });
  const ctx = canvas.getContext('2d');
  if (!ctx || points.length < 2) return canvas;
  const values = points.map((p) => p[key]);
  const max = Math.max(1, ...values);
  const t0 = points[0].at;
  const span = Math.max(1, points[points.length - 1].at - t0);
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  points.forEach((p, i) => {
    const x = ((p.at - t0) / span) * (canvas.width - 2) + 1;
    const y = canvas.height - 2 - (p[key] / max) * (canvas.height - 14);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
  ctx.fillStyle = '#57606a';
  ctx.font = '10px sans-serif';
  ctx.fillText(`${label} max ${key === 'lagSeconds' ? duration(max) : max}`, 2, 10);
  return canvas;
}

// When the API requires keys, the page asks for one and keeps it for this browser tab only.
const KEY_STORAGE = 'fanout-api-key';

function authHeaders() {
  const key = sessionStorage.getItem(KEY_STORAGE);
  return key ? { authorization: `Bearer ${key}` } : {};
}

function askForKey() {
  document.getElementById('auth').hidden = false;
}

document.getElementById('auth').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = document.getElementById('api-key');
  sessionStorage.setItem(KEY_STORAGE, input.value.trim());
  input.value = '';
  document.getElementById('auth').hidden = true;
  void refresh();
});

async function api(method, path, body) {
  const init = { method, headers: authHeaders() };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401) askForKey();
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok)
    throw new Error(json.error ? `${json.error.code}: ${json.error.message}` : res.statusText);
  return json;
}

async function act(label, method, path, body) {
  const message = document.getElementById('message');
  try {
    const out = await api(method, path, body);
    message.textContent = `${label}: done ${JSON.stringify(out).slice(0, 160)}`;
  } catch (err) {
    message.textContent = `${label}: ${err.message}`;
  }
  await refresh();
}

function actions(s) {
  const base = `/v1/subscriptions/${s.subscriptionId}`;
  const box = el('div', { class: 'actions' });
  if (s.state === 'paused' || s.state === 'disabled') {
    box.append(
      el(
        'button',
        { 'data-action': 'resume', onclick: () => act('resume', 'POST', `${base}/resume`) },
        'Resume',
      ),
    );
  } else {
    box.append(
      el(
        'button',
        { 'data-action': 'pause', onclick: () => act('pause', 'POST', `${base}/pause`) },
        'Pause',
      ),
    );
  }
  if (s.backlog.deadLetters > 0) {
    box.append(
      el(
        'button',
        {
          'data-action': 'replay',
          onclick: () => act('replay dead letters', 'POST', `${base}/dead-letters/replay`, {}),
        },
        `Replay ${s.backlog.deadLetters} dead`,
      ),
    );
  }
  const target = el(
    'select',
    { 'aria-label': 'seek target' },
    el('option', { value: 'earliest' }, 'earliest'),
    el('option', { value: 'latest' }, 'latest'),
    el('option', { value: 'time' }, 'a time…'),
  );
  const seek = () => {
    let body = { to: target.value };
    if (target.value === 'time') {
      const when = window.prompt('Seek to (ISO time, e.g. 2026-11-24T06:00:00Z):');
      if (!when) return;
      body = { timestamp: when };
    }
    if (
      window.confirm(
        `Move subscription ${s.subscriptionId.slice(0, 8)} to ${body.to || body.timestamp}?`,
      )
    ) {
      void act('seek', 'POST', `${base}/seek`, body);
    }
  };
  box.append(target, el('button', { 'data-action': 'seek', onclick: seek }, 'Seek'));
  return box;
}

function render(lag, topics, counters) {
  const subs = lag.subscriptions
    .slice()
    .sort(
      (a, b) =>
        STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
        b.lagMessages - a.lagMessages,
    );
  const seconds = (Date.now() - previous.at) / 1000;

  const count = (status) => subs.filter((s) => s.status === status).length;
  const summary = document.getElementById('summary');
  summary.replaceChildren(
    ...[
      ['subscriptions', subs.length],
      ['ok', count('ok')],
      ['lagging', count('lagging')],
      ['stalled', count('stalled')],
      ['failing', count('failing')],
      ['paused', count('paused')],
      ['lag (events)', subs.reduce((a, s) => a + s.lagMessages, 0)],
      ['delivered/s', rate(subs.reduce((a, s) => a + s.deliveredPerSecond, 0))],
      ['dead letters', subs.reduce((a, s) => a + s.backlog.deadLetters, 0)],
    ].map(([k, v]) => el('div', { class: 'card' }, el('b', {}, v), k)),
  );

  const topicRows = topics.map((t) => {
    const of = subs.filter((s) => s.topic === t.name);
    const produced = of.length ? of[0].producedPerSecond : null;
    return el(
      'tr',
      { 'data-topic': t.name },
      el('td', {}, t.name),
      el('td', { class: 'num' }, t.partitions),
      el('td', { class: 'num' }, of.length),
      el('td', { class: 'num' }, rate(produced)),
      el(
        'td',
        { class: 'num' },
        of.reduce((a, s) => a + s.lagMessages, 0),
      ),
    );
  });
  document.querySelector('#topics tbody').replaceChildren(...topicRows);

  const rows = subs.map((s) => {
    const now = counters.get(s.subscriptionId);
    const before = previous.counters.get(s.subscriptionId);
    // the bridges' own reports when there are any (they work across processes), else this
    // process's counters
    const errors = s.delivery
      ? s.delivery.failedPerSecond
      : now && before && seconds > 0
        ? (now.failed - before.failed) / seconds
        : null;
    const latency = p99(now, before);
    const history = s.history || [];
    return el(
      'tr',
      { 'data-subscription': s.subscriptionId, 'data-status': s.status },
      el('td', {}, el('span', { class: `badge ${s.status}`, 'data-field': 'status' }, s.status)),
      el(
        'td',
        {},
        el('code', {}, s.subscriptionId.slice(0, 8)),
        ' ',
        s.topic,
        el('div', { class: 'muted' }, `state ${s.state}`),
      ),
      el(
        'td',
        { class: 'num', 'data-field': 'lagMessages' },
        s.lagMessages,
        sparkline(history, 'lagMessages', '#0969da', 'events'),
      ),
      el(
        'td',
        { class: 'num', 'data-field': 'lagSeconds' },
        duration(s.lagSeconds),
        sparkline(history, 'lagSeconds', '#8250df', 'age'),
      ),
      el('td', { class: 'num' }, s.drainSeconds === null ? '∞' : duration(s.drainSeconds)),
      el('td', { class: 'num' }, rate(s.deliveredPerSecond)),
      el('td', { class: 'num' }, rate(errors)),
      el('td', { class: 'num' }, latency === null ? '—' : duration(latency)),
      el('td', { class: 'num' }, s.backlog.deadLetters),
      el(
        'td',
        { class: 'causes', 'data-field': 'causes' },
        s.causes.map((c) => c.detail).join('; ') || '—',
      ),
      el('td', {}, actions(s)),
    );
  });
  document.querySelector('#subscriptions tbody').replaceChildren(...rows);
  previous = { at: Date.now(), counters };
}

async function refresh() {
  const updated = document.getElementById('updated');
  try {
    const [lag, topics, metricsText] = await Promise.all([
      api('GET', '/v1/lag?history=true'),
      api('GET', '/v1/topics'),
      fetch('/metrics', { headers: authHeaders() }).then((r) => (r.ok ? r.text() : '')),
    ]);
    render(lag, topics.topics, deliveryCounters(parseMetrics(metricsText)));
    updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    updated.textContent = `cannot reach the API: ${err.message}`;
  }
}

void refresh();
setInterval(() => void refresh(), POLL_MS);
