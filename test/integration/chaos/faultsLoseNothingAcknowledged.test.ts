/**
 * The chaos run: a three-node Kafka cluster (replication 3, min.insync.replicas 2) of the test's
 * own, a private Redis, two bridge processes, a router, and a webhook sink that fails part of
 * the time and records every acknowledged delivery (the ledger). Events are produced through
 * the API at a steady pace into a read fan-out topic (partition, key and none subscriptions)
 * and a write fan-out topic, while processes are killed, stopped and restarted. At the end every
 * event the API acknowledged must have reached every subscription, in order where promised.
 * Prints its figures.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { call } from '../../helpers/api.ts';
import { orderViolations } from '../../helpers/deliveryLedger.ts';
import { KafkaTestCluster } from '../../helpers/kafkaTestCluster.ts';
import { PrivateRedis } from '../../helpers/privateRedis.ts';
import { pinAndWait } from '../../helpers/routing.ts';
import { ServiceProcess } from '../../helpers/serviceProcess.ts';
import { TEST_ENV } from '../../helpers/testEnv.ts';
import { waitFor } from '../../helpers/waitFor.ts';
import { WebhookSink, type Received } from '../../helpers/webhookSink.ts';

const EVENTS_PER_BATCH = 20;
// CI runs about 50 s of production; `npm run bench:chaos` runs the same for longer
const BATCHES = Number(process.env.FANOUT_CHAOS_BATCHES ?? 100);
// about 2 minutes on a quiet 2-core machine; room for a busy one, and for the longer variant
const CHAOS_TIMEOUT_MS = 600_000 + BATCHES * 2000;
const BATCH_EVERY_MS = 400;

// a database of its own, next to the tests' (dropped and made afresh each run)
const chaosDbName = `${String(TEST_ENV.FANOUT_DATABASE_URL).replace(/^.*\//, '')}_chaos`;
const chaosDb = String(TEST_ENV.FANOUT_DATABASE_URL).replace(/[^/]+$/, chaosDbName);
// ports of the test's own cluster and Redis; another base lets two checkouts run it at once
const PORT_BASE = Number(process.env.FANOUT_CHAOS_PORT_BASE ?? 29092);
const cluster = new KafkaTestCluster(3, PORT_BASE);
const redis = new PrivateRedis(PORT_BASE - 2713);
const sink = new WebhookSink();
const processes: ServiceProcess[] = [];
// set by the first test, used by the next
let apiBase = '';
let chaosTopic = '';

after(async () => {
  for (const p of processes) {
    p.signal('SIGCONT');
    await p.kill('SIGKILL');
  }
  await sink.stop();
  await redis.stop();
  await cluster.stop();
});

interface Acked {
  id: string;
  topic: string;
  partition: number;
  offset: string;
  key: string;
}

async function freshDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: chaosDb.replace(/[^/]+$/, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${chaosDbName}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

test(
  'chaos: bridges, router, a partition leader and Redis killed or stopped under load; no acknowledged event lost, order kept',
  { timeout: CHAOS_TIMEOUT_MS },
  async () => {
    const started = Date.now();
    await cluster.start();
    await redis.start();
    await freshDatabase();
    await sink.start();
    const env: NodeJS.ProcessEnv = {
      FANOUT_KAFKA_BROKERS: cluster.brokers,
      FANOUT_DATABASE_URL: chaosDb,
      FANOUT_REDIS_URL: redis.url,
      FANOUT_HEALTH_PORT: '0',
      FANOUT_COMMIT_INTERVAL_MS: '200',
    };
    const api = new ServiceProcess('api', env);
    const bridges = [new ServiceProcess('bridge', env), new ServiceProcess('bridge', env)];
    const router = new ServiceProcess('router', env);
    processes.push(api, ...bridges, router);
    await api.start('api listening');
    const base = `http://127.0.0.1:${String(api.logged('api listening')!.port)}`;
    apiBase = base;
    await Promise.all([
      ...bridges.map((b) => b.start('bridge started')),
      router.start('router started'),
    ]);

    // the sink fails one request in eight, never answers one in a hundred (a timeout), and
    // answers one in twenty slowly
    let requestNo = 0;
    sink.respond = () => {
      requestNo++;
      if (requestNo % 100 === 0) return 'hang';
      if (requestNo % 8 === 0) return 500;
      if (requestNo % 20 === 0) return { status: 200, delayMs: 300 };
      return 200;
    };

    const readTopic = `chaos-read-${Date.now().toString(36)}`;
    const writeTopic = `chaos-write-${Date.now().toString(36)}`;
    chaosTopic = readTopic;
    for (const name of [readTopic, writeTopic]) {
      const res = await call(base, 'POST', '/v1/topics', { name, partitions: 3 });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    const retry = { initialDelayMs: 50, maxDelayMs: 1000, maxAttempts: null, maxAgeMs: 3_600_000 };
    const subscriptions = new Map<string, { topic: string; ordering: string }>();
    for (const [topic, ordering] of [
      [readTopic, 'partition'],
      [readTopic, 'key'],
      [readTopic, 'none'],
      [writeTopic, 'partition'],
    ] as const) {
      const name = `${topic === readTopic ? 'read' : 'write'}-${ordering}`;
      const res = await call(base, 'POST', '/v1/subscriptions', {
        topic,
        endpoint: `${sink.url}/${name}`,
        ordering,
        retry,
        timeoutMs: 2000,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      subscriptions.set(name, { topic, ordering });
    }
    // a switch waits for the bridges to let go of the topic: slow on a busy machine
    await pinAndWait(base, writeTopic, 'write', 180_000);

    const kafka = new Kafka({ brokers: cluster.brokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const faults: string[] = [];
    const acked: Acked[] = [];
    const refused = new Map<string, number>();

    const produce = async (): Promise<void> => {
      for (let b = 0; b < BATCHES; b++) {
        const topic = b % 4 === 3 ? writeTopic : readTopic;
        const events = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => ({
          key: `k${(b * EVENTS_PER_BATCH + i) % 40}`,
          payload: { b, i },
        }));
        const sentAt = Date.now();
        try {
          const res = await call<{ events: Omit<Acked, 'topic' | 'key'>[] }>(
            base,
            'POST',
            `/v1/topics/${topic}/events`,
            { events },
          );
          if (res.status === 202) {
            res.body.events.forEach((e, i) => acked.push({ ...e, topic, key: events[i]!.key }));
          } else {
            const code = (res.body as { error?: { code?: string } }).error?.code;
            const why = `${res.status} ${code ?? ''}`;
            refused.set(why, (refused.get(why) ?? 0) + 1);
          }
        } catch {
          refused.set('no answer', (refused.get('no answer') ?? 0) + 1);
        }
        await sleep(Math.max(0, BATCH_EVERY_MS - (Date.now() - sentAt)));
      }
    };

    const t0 = Date.now();
    const mark = (fault: string): void => {
      faults.push(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${fault}`);
    };
    let producing = true;
    // one round of faults takes about 50 s; longer runs repeat it while events are produced
    const inject = async (): Promise<void> => {
      do {
        await faultRound();
      } while (producing);
    };
    const faultRound = async (): Promise<void> => {
      await sleep(4000);
      mark('SIGKILL bridge 1');
      await bridges[0]!.kill('SIGKILL');
      await sleep(2000);
      await bridges[0]!.start('bridge started');

      await sleep(3000);
      const meta = await admin.fetchTopicMetadata({ topics: [readTopic] });
      const leader = meta.topics[0]!.partitions.find((p) => p.partitionId === 0)!.leader;
      mark(`SIGKILL Kafka node ${leader} (leader of ${readTopic}/0)`);
      await cluster.kill(leader);
      await sleep(6000);
      await cluster.restart(leader);

      await sleep(3000);
      mark('SIGKILL router');
      await router.kill('SIGKILL');
      await sleep(1500);
      await router.start('router started');

      await sleep(2000);
      mark('SIGSTOP bridge 2 for 12 s (past its session timeout), then SIGCONT');
      bridges[1]!.signal('SIGSTOP');
      await sleep(12_000);
      bridges[1]!.signal('SIGCONT');

      await sleep(2000);
      mark('Redis killed for 3 s and restarted empty');
      await redis.stop();
      await sleep(3000);
      await redis.start();

      await sleep(2000);
      mark('SIGTERM bridge 1 (graceful) and restart');
      await bridges[0]!.kill('SIGTERM');
      await bridges[0]!.start('bridge started');
    };

    await Promise.all([
      produce().finally(() => {
        producing = false;
      }),
      inject(),
    ]);
    await cluster.waitHealthy();

    const deliveredTo = (name: string): Received[] =>
      sink.acknowledged().filter((r) => r.path === `/hook/${name}`);
    const expected = (name: string): Acked[] =>
      acked.filter((a) => a.topic === subscriptions.get(name)!.topic);
    const missing = (name: string): number => {
      const got = new Set(deliveredTo(name).map((r) => String(r.headers['webhook-id'])));
      return expected(name).filter((a) => !got.has(a.id)).length;
    };
    await waitFor(
      () => [...subscriptions.keys()].every((n) => missing(n) === 0),
      'every acknowledged event delivered to every subscription',
      180_000,
      500,
    );

    const rows = [...subscriptions].map(([name, { ordering }]) => {
      const received = deliveredTo(name);
      const ids = received.map((r) => String(r.headers['webhook-id']));
      const arrivals = new Map<string, number[]>();
      for (const r of received) {
        const group =
          ordering === 'key'
            ? `${String(r.headers['fanout-partition'])}/${String(r.headers['fanout-key'])}`
            : String(r.headers['fanout-partition']);
        arrivals.set(group, [...(arrivals.get(group) ?? []), Number(r.headers['fanout-offset'])]);
      }
      // when the duplicates arrived, by second of the run: they should cluster after faults
      const firstAt = new Map<string, number>();
      const duplicateSeconds = new Map<number, number>();
      const someDuplicates: string[] = [];
      for (const r of received) {
        const id = String(r.headers['webhook-id']);
        const first = firstAt.get(id);
        if (first !== undefined) {
          const second = Math.floor((r.at - t0) / 1000);
          duplicateSeconds.set(second, (duplicateSeconds.get(second) ?? 0) + 1);
          if (someDuplicates.length < 5) {
            someDuplicates.push(
              `p${String(r.headers['fanout-partition'])}@${String(r.headers['fanout-offset'])} first ${((first - t0) / 1000).toFixed(1)} s, again ${((r.at - t0) / 1000).toFixed(1)} s`,
            );
          }
        } else firstAt.set(id, r.at);
      }
      return {
        subscription: name,
        duplicatesBySecond: Object.fromEntries(duplicateSeconds),
        someDuplicates,
        events: expected(name).length,
        deliveries: received.length,
        lost: missing(name),
        duplicates: received.length - new Set(ids).size,
        orderViolations: ordering === 'none' ? 0 : orderViolations(arrivals),
      };
    });
    console.log(
      JSON.stringify(
        {
          chaos: {
            seconds: Math.round((Date.now() - started) / 1000),
            produced: acked.length,
            refusedBatches: Object.fromEntries(refused),
            faults,
            failedAttemptsAtSink: sink.requests.length - sink.acknowledged().length,
            // a 5xx other than 503 is a bug to look at: show what the api logged for it
            apiErrors: api.output
              .split('\n')
              .filter(
                (l) => l.includes('"msg":"request failed"') && !l.includes('KAFKA_UNAVAILABLE'),
              )
              .slice(0, 3)
              .map((l) => l.slice(0, 600)),
            subscriptions: rows,
          },
        },
        null,
        2,
      ),
    );
    for (const row of rows) {
      assert.equal(row.lost, 0, `${row.subscription}: lost`);
      assert.equal(row.orderViolations, 0, `${row.subscription}: order violations`);
    }
    assert.ok(acked.length >= BATCHES * EVENTS_PER_BATCH * 0.8, 'most batches acknowledged');
    await admin.disconnect();
  },
);

test(
  'two of three Kafka nodes down (fewer in-sync replicas than min.insync.replicas): the produce API answers no 2xx, only retriable 503s, and recovers',
  { timeout: CHAOS_TIMEOUT_MS },
  async () => {
    assert.notEqual(apiBase, '', 'runs after the chaos run, on its cluster');
    await Promise.all([cluster.kill(2), cluster.kill(3)]);
    const downAt = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 6 }, async (_, n) => {
        try {
          const res = await fetch(`${apiBase}/v1/topics/${chaosTopic}/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ key: `isr-${n}`, payload: { n } }),
            signal: AbortSignal.timeout(40_000),
          });
          const body = (await res.json()) as { error?: { code: string; retriable: boolean } };
          return { status: res.status, code: body.error?.code, retriable: body.error?.retriable };
        } catch {
          return { status: 0, code: 'no answer in 40 s', retriable: undefined };
        }
      }),
    );
    const answeredIn = Date.now() - downAt;
    await Promise.all([cluster.restart(2), cluster.restart(3)]);
    const restartedAt = Date.now();
    let recoveredIn = -1;
    await waitFor(
      async () => {
        const res = await call(apiBase, 'POST', `/v1/topics/${chaosTopic}/events`, {
          key: 'after',
          payload: { after: true },
        });
        if (res.status === 202) recoveredIn = Date.now() - restartedAt;
        return res.status === 202;
      },
      'a produce acknowledged after the nodes came back',
      120_000,
      500,
    );
    console.log(
      JSON.stringify({
        isrBelowMin: { answers, answeredInMs: answeredIn, recoveredInMs: recoveredIn },
      }),
    );
    assert.equal(answers.filter((a) => a.status >= 200 && a.status < 300).length, 0, 'no 2xx');
    for (const a of answers) {
      assert.equal(a.status, 503, JSON.stringify(a));
      assert.equal(a.code, 'FANOUT_KAFKA_UNAVAILABLE');
      assert.equal(a.retriable, true);
    }
  },
);

test(
  'a partition leader SIGSTOPped mid-write (an ambiguous write): no 202 for an unacknowledged write; the producer retries with the same ids and each is delivered once',
  { timeout: CHAOS_TIMEOUT_MS },
  async () => {
    assert.notEqual(apiBase, '', 'runs after the chaos run, on its cluster');
    const kafka = new Kafka({ brokers: cluster.brokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      // a key that lands on partition 0, whose leader is about to freeze
      let key = '';
      for (let i = 0; key === ''; i++) {
        const res = await call<{ events: { partition: number }[] }>(
          apiBase,
          'POST',
          `/v1/topics/${chaosTopic}/events`,
          { key: `probe-${i}`, payload: { probe: i } },
        );
        if (res.body.events[0]!.partition === 0) key = `probe-${i}`;
      }
      const meta = await admin.fetchTopicMetadata({ topics: [chaosTopic] });
      const leader = meta.topics[0]!.partitions.find((p) => p.partitionId === 0)!.leader;
      const events = Array.from({ length: 5 }, (_, n) => ({
        id: randomUUID(),
        key,
        payload: { ambiguous: n },
      }));
      cluster.signal(leader, 'SIGSTOP');
      const sentAt = Date.now();
      const first = await call(apiBase, 'POST', `/v1/topics/${chaosTopic}/events`, { events });
      const firstAnsweredMs = Date.now() - sentAt;
      cluster.signal(leader, 'SIGCONT');
      let retries = 0;
      if (first.status !== 202) {
        assert.equal(first.status, 503, JSON.stringify(first.body));
        // the producer does what a 503 asks: sends the same events again
        await waitFor(
          async () => {
            retries++;
            const again = await call(apiBase, 'POST', `/v1/topics/${chaosTopic}/events`, {
              events,
            });
            return again.status === 202;
          },
          'the retried write acknowledged',
          60_000,
          1000,
        );
      }
      const ids = new Set<string>(events.map((e) => e.id));
      const deliveries = () =>
        sink
          .acknowledged()
          .filter(
            (r) => r.path === '/hook/read-partition' && ids.has(String(r.headers['webhook-id'])),
          );
      await waitFor(
        () => new Set(deliveries().map((r) => r.headers['webhook-id'])).size === 5,
        'all five delivered',
        120_000,
      ).catch(async (err: unknown) => {
        const status = await call(apiBase, 'GET', `/v1/topics/${chaosTopic}`);
        console.log(
          JSON.stringify({
            ambiguousWriteStuck: {
              firstAnswer: first.status,
              retries,
              delivered: deliveries().map((r) => [
                r.headers['fanout-offset'],
                r.headers['webhook-id'],
              ]),
              wanted: events.map((e) => e.id),
              topic: status.body,
            },
          }),
        );
        throw err;
      });
      await sleep(2000);
      console.log(
        JSON.stringify({
          ambiguousWrite: {
            firstAnswer: first.status,
            firstAnsweredMs,
            retries,
            deliveries: deliveries().length,
          },
        }),
      );
      assert.equal(deliveries().length, 5, 'each event delivered once, whichever copies landed');
    } finally {
      cluster.signal(1, 'SIGCONT');
      cluster.signal(2, 'SIGCONT');
      cluster.signal(3, 'SIGCONT');
      await admin.disconnect();
    }
  },
);
