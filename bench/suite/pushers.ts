import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { deadLetterTopicOf } from '../../libs/registry/types.ts';
import { call } from '../../test/helpers/api.ts';
import { benchValue } from './benchPayload.ts';
import { ContenderProcess } from './contenderProcess.ts';
import type { Pusher } from './contender.ts';

/** Requests in flight for contenders that run requests in parallel, and the push ceiling's connections. */
export const PARALLEL_CONNECTIONS = 64;

const groupName = (prefix: string): string => `bench-${prefix}-${randomBytes(4).toString('hex')}`;

/**
 * autocannon POSTing the same 1 KiB body to the same sink over `connections` connections: how
 * fast this machine can push with that many requests in flight.
 */
export function autocannonCeiling(connections: number): Pusher {
  return {
    name: `push ceiling: autocannon ${connections} conns`,
    connections,
    readsKafka: false,
    async start(_topic, ctx) {
      const body = join(tmpdir(), `bench-body-${process.pid}.json`);
      writeFileSync(body, benchValue(0, 0));
      const child = new ContenderProcess(process.execPath, [
        'node_modules/autocannon/autocannon.js',
        '-c',
        String(connections),
        '-a',
        String(ctx.events),
        '-m',
        'POST',
        '-H',
        'content-type=application/json',
        '-i',
        body,
        '-n',
        ctx.sinkUrl,
      ]);
      return { pids: { autocannon: child.pid }, stop: () => child.stop() };
    },
  };
}

/** KafkaJS eachMessage + fetch + commit per message. */
export const naiveLoop: Pusher = {
  name: 'naive: eachMessage+fetch+commit',
  connections: 1,
  readsKafka: true,
  async start(topic, ctx) {
    const child = new ContenderProcess(
      process.execPath,
      ['bench/contenders/naiveLoop.ts', topic, groupName('naive'), ctx.sinkUrl],
      { FANOUT_KAFKA_BROKERS: ctx.brokers },
    );
    await child.waitFor(/naive loop running/, 60_000);
    return { pids: { naive: child.pid }, stop: () => child.stop() };
  },
};

/** Fanout's bridge process with one subscription in the given ordering mode. */
export function fanoutBridge(
  ordering: 'partition' | 'key' | 'none',
  extra: Record<string, unknown> = {},
  label = '',
  root?: string,
): Pusher {
  const connections = ordering === 'partition' ? 3 : PARALLEL_CONNECTIONS;
  return {
    name: `Fanout bridge${root === undefined ? '' : ' (baseline tree)'}: ${ordering}${label}`,
    connections,
    readsKafka: true,
    async start(topic, ctx) {
      const body = {
        topic,
        endpoint: ctx.sinkUrl,
        ordering,
        maxInFlight: PARALLEL_CONNECTIONS,
        startFrom: 'earliest',
        ...extra,
      };
      let res = await call(ctx.apiBase, 'POST', '/v1/subscriptions', body);
      // a topic made a moment ago may still be electing its leaders: the API answers 5xx
      for (let tries = 1; res.status >= 500 && tries < 20; tries++) {
        await sleep(500);
        res = await call(ctx.apiBase, 'POST', '/v1/subscriptions', body);
      }
      if (res.status !== 201) throw new Error(`subscription refused: ${JSON.stringify(res.body)}`);
      const id = res.body.id as string;
      ctx.cleanupTopics.push(deadLetterTopicOf(id));
      // FANOUT_BENCH_PROFILE_DIR=dir writes a V8 CPU profile of each bridge run there
      const profileDir = process.env.FANOUT_BENCH_PROFILE_DIR;
      const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
      const bridge = new ContenderProcess(
        process.execPath,
        [...profile, 'services/bridge/main.ts'],
        {
          ...ctx.fanoutEnv,
          // the ready line is an info line
          FANOUT_LOG_LEVEL: 'info',
        },
        root,
      );
      await bridge.waitFor(/bridge started/, 60_000);
      return {
        pids: { bridge: bridge.pid },
        async stop() {
          await bridge.stop();
          await call(ctx.apiBase, 'DELETE', `/v1/subscriptions/${id}`);
        },
      };
    },
  };
}

/** Confluent Parallel Consumer in KEY order with the JDK HTTP client (bench/peers). */
export const parallelConsumerPeer: Pusher = {
  name: 'peer: Parallel Consumer KEY',
  connections: PARALLEL_CONNECTIONS,
  readsKafka: true,
  async start(topic, ctx) {
    const java = new ContenderProcess('java', [
      '-Xms256m',
      '-Xmx512m',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      `${ctx.peersDir}/parallelConsumer/target/fanout-bench-parallel-consumer-1.0.0.jar:${ctx.peersDir}/parallelConsumer/lib/*`,
      'dev.fanout.bench.KeyOrderedHttpPush',
      ctx.brokers,
      topic,
      groupName('pc'),
      ctx.sinkUrl,
      String(PARALLEL_CONNECTIONS),
    ]);
    await java.waitFor(/parallel consumer running/, 60_000);
    return { pids: { java: java.pid }, stop: () => java.stop() };
  },
};

/**
 * Kafka Connect standalone (connect-runtime) with the small HTTP sink connector of bench/peers:
 * one task per partition, each POSTing its records one after another.
 */
export const kafkaConnectPeer: Pusher = {
  name: 'peer: Kafka Connect HTTP sink',
  connections: 3,
  readsKafka: true,
  async start(topic, ctx) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-connect-'));
    const worker = join(dir, 'worker.properties');
    const connector = join(dir, 'connector.properties');
    writeFileSync(
      worker,
      [
        `bootstrap.servers=${ctx.brokers}`,
        'key.converter=org.apache.kafka.connect.converters.ByteArrayConverter',
        'value.converter=org.apache.kafka.connect.converters.ByteArrayConverter',
        `offset.storage.file.filename=${join(dir, 'offsets')}`,
        // a free port for the REST API, so two runs never clash
        'listeners=http://127.0.0.1:0',
        'plugin.discovery=only_scan',
      ].join('\n'),
    );
    writeFileSync(
      connector,
      [
        // the consumer group is connect-<name>: a new one each run
        `name=${groupName('http-sink')}`,
        'connector.class=dev.fanout.bench.HttpSinkConnector',
        'tasks.max=3',
        `topics=${topic}`,
        `http.url=${ctx.sinkUrl}`,
      ].join('\n'),
    );
    const lib = `${ctx.peersDir}/kafkaConnect`;
    const java = new ContenderProcess('java', [
      '-Xms256m',
      '-Xmx512m',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-Dorg.slf4j.simpleLogger.log.org.apache.kafka.connect.runtime.Connect=info',
      '-cp',
      `${lib}/target/fanout-bench-kafka-connect-1.0.0.jar:${lib}/lib/*`,
      'org.apache.kafka.connect.cli.ConnectStandalone',
      worker,
      connector,
    ]);
    await java.waitFor(/Kafka Connect started/, 90_000);
    return {
      pids: { java: java.pid },
      async stop() {
        await java.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
