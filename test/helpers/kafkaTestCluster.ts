import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from './waitFor.ts';

/** Resolves true once something accepts connections on the port, false if `gaveUp` first. */
async function waitForPort(
  port: number,
  gaveUp: () => boolean,
  deadline: number,
): Promise<boolean> {
  while (Date.now() < deadline) {
    if (gaveUp()) return false;
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return true;
    await sleep(250);
  }
  return false;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The broker jars deploy/local/kafka/fetch.sh put in the cache (same rules as its env.sh). */
function kafkaLibs(): string {
  const pom = readFileSync(join(ROOT, 'deploy/local/kafka/pom.xml'), 'utf8');
  const pinned = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)![1]!;
  const version = process.env.KAFKA_VERSION ?? pinned;
  const cache = process.env.FANOUT_KAFKA_CACHE ?? join(ROOT, '.cache/kafka');
  const libs = join(cache, version, 'libs');
  if (!existsSync(libs))
    throw new Error(`no Kafka jars in ${libs}: run deploy/local/kafka/fetch.sh`);
  return libs;
}

interface Node {
  id: number;
  port: number;
  props: string;
  process: ChildProcess | undefined;
  exited: Promise<void>;
  output: string;
}

/**
 * A Kafka cluster of the test's own — combined broker+controller KRaft nodes on loopback ports
 * away from the shared local broker — whose nodes the test can SIGKILL, SIGSTOP and restart
 * one by one, as Kafka's own system tests do. Replication 3 and min.insync.replicas 2 by default.
 */
export class KafkaTestCluster {
  readonly nodes: Node[] = [];
  private readonly dir: string;
  private readonly libs = kafkaLibs();
  private readonly size: number;
  private readonly portBase: number;

  constructor(size = 3, portBase = 29092) {
    this.size = size;
    this.portBase = portBase;
    this.dir = join(ROOT, '.cache', 'kafka-test-cluster', `${portBase}`);
  }

  get brokers(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  }

  async start(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    // a base64url id may start with "-", which the storage tool would take for an option
    const clusterId = randomBytes(16).toString('base64url');
    const voters = [...Array(this.size).keys()]
      .map((i) => `${i + 1}@127.0.0.1:${this.portBase + 100 + i + 1}`)
      .join(',');
    const rf = Math.min(3, this.size);
    const minIsr = Math.min(2, this.size);
    await Promise.all(
      [...Array(this.size).keys()].map(async (i) => {
        const id = i + 1;
        const port = this.portBase + i;
        const nodeDir = join(this.dir, `node-${id}`);
        await mkdir(nodeDir, { recursive: true });
        const props = join(nodeDir, 'server.properties');
        await writeFile(
          props,
          [
            'process.roles=broker,controller',
            `node.id=${id}`,
            `controller.quorum.voters=${voters}`,
            `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${this.portBase + 100 + id}`,
            `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
            'controller.listener.names=CONTROLLER',
            'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
            'inter.broker.listener.name=PLAINTEXT',
            `log.dirs=${join(nodeDir, 'log')}`,
            'num.partitions=1',
            `default.replication.factor=${rf}`,
            `min.insync.replicas=${minIsr}`,
            `offsets.topic.replication.factor=${rf}`,
            'offsets.topic.num.partitions=5',
            `transaction.state.log.replication.factor=${rf}`,
            `transaction.state.log.min.isr=${minIsr}`,
            `share.coordinator.state.topic.replication.factor=${rf}`,
            `share.coordinator.state.topic.min.isr=${minIsr}`,
            'group.initial.rebalance.delay.ms=0',
            'auto.create.topics.enable=false',
            // a killed leader's partitions move within seconds, not the default 18 s
            'broker.session.timeout.ms=6000',
            'broker.heartbeat.interval.ms=1000',
            '',
          ].join('\n'),
        );
        await this.java([
          'kafka.tools.StorageTool',
          'format',
          `--cluster-id=${clusterId}`,
          '-c',
          props,
        ]);
        this.nodes.push({
          id,
          port,
          props,
          process: undefined,
          exited: Promise.resolve(),
          output: '',
        });
      }),
    );
    this.nodes.sort((a, b) => a.id - b.id);
    for (const n of this.nodes) this.launch(n);
    await this.waitHealthy();
  }

  /** Waits until every node is a live broker of the cluster. */
  async waitHealthy(timeoutMs = 90_000): Promise<void> {
    const kafka = new Kafka({
      brokers: this.nodes.map((n) => `127.0.0.1:${n.port}`),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    try {
      await waitFor(
        async () => {
          try {
            await admin.connect();
            const c = await admin.describeCluster();
            return c.brokers.length === this.size;
          } catch {
            return false;
          }
        },
        `${this.size} Kafka nodes up`,
        timeoutMs,
        500,
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  node(id: number): Node {
    return this.nodes.find((n) => n.id === id)!;
  }

  signal(id: number, signal: NodeJS.Signals): void {
    this.node(id).process?.kill(signal);
  }

  async kill(id: number): Promise<void> {
    const n = this.node(id);
    n.process?.kill('SIGKILL');
    await n.exited;
    n.process = undefined;
  }

  /**
   * Starts a stopped node again and waits until it listens. A node killed a moment ago leaves
   * its ports in TIME_WAIT, which Kafka's controller listener will not bind over: such a start
   * fails at once and is tried again until the kernel lets the ports go (about a minute).
   */
  async restart(id: number): Promise<void> {
    const n = this.node(id);
    if (n.process !== undefined) throw new Error(`node ${id} is running`);
    const deadline = Date.now() + 90_000;
    for (;;) {
      this.launch(n);
      const child = n.process!;
      const up = await waitForPort(n.port, () => child.exitCode !== null, deadline);
      if (up) return;
      await n.exited;
      n.process = undefined;
      if (!n.output.includes('Address already in use') || Date.now() > deadline) {
        throw new Error(`kafka node ${id} did not start again:\n${n.output.slice(-4000)}`);
      }
      await sleep(2000);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n.id)));
    await rm(this.dir, { recursive: true, force: true });
  }

  private launch(n: Node): void {
    const child = spawn(
      'java',
      [
        '-Xms128m',
        '-Xmx384m',
        '-XX:+UseSerialGC',
        `-Dlog4j2.configurationFile=${join(ROOT, 'deploy/local/kafka/log4j2-tools.properties')}`,
        '-cp',
        `${this.libs}/*`,
        'kafka.Kafka',
        n.props,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    n.output = '';
    const keep = (d: Buffer): void => {
      n.output = (n.output + d.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    n.process = child;
    n.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        // a node that dies on its own is the first thing to know when a fault test fails
        if (signal !== 'SIGKILL' && !n.output.includes('Address already in use')) {
          console.error(`kafka node ${n.id} exited (${code ?? signal}):\n${n.output.slice(-4000)}`);
        }
        resolve();
      }),
    );
  }

  private java(args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        'java',
        [
          `-Dlog4j2.configurationFile=${join(ROOT, 'deploy/local/kafka/log4j2-tools.properties')}`,
          '-cp',
          `${this.libs}/*`,
          ...args,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`${args[0]} failed (${code}): ${out}`)),
      );
    });
  }
}
