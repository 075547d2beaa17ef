import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { waitFor } from '../../test/helpers/waitFor.ts';
import { loggedFields } from '../../test/helpers/loggedFields.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * The api's node flags as deployed: read from docker-compose.kafka.yml (a unit test keeps
 * Kubernetes and the image alike), so the benchmarks measure what runs.
 */
function deployedApiFlags(): string[] {
  const compose = parse(readFileSync(`${ROOT}docker-compose.kafka.yml`, 'utf8'), {
    merge: true,
  }) as { services: { api: { command: string[] } } };
  // ['node', ...flags, 'services/api/main.ts']
  return compose.services.api.command.slice(1, -1);
}
const API_NODE_FLAGS = deployedApiFlags();

/** A Fanout service as a child process whose pid the benchmark reads CPU and memory from. */
export class BenchService {
  private child: ChildProcess | undefined;
  private output = '';
  private readonly service: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(service: string, env: NodeJS.ProcessEnv) {
    this.service = service;
    this.env = env;
  }

  get pid(): number {
    return this.child!.pid!;
  }

  async start(readyMessage: string): Promise<void> {
    // FANOUT_BENCH_PROFILE_DIR: a CPU profile of the service, written when it stops
    const dir = process.env.FANOUT_BENCH_PROFILE_DIR;
    const profile = dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
    const flags = this.service === 'api' ? API_NODE_FLAGS : [];
    const child = spawn(
      process.execPath,
      [...profile, ...flags, `services/${this.service}/main.ts`],
      {
        cwd: ROOT,
        env: { ...this.env, FANOUT_LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    // a service started again waits for its own ready line, not the last run's
    this.output = '';
    // keep only the tail: the benchmark waits for one line, and info logs add up over a run
    // FANOUT_BENCH_SERVICE_LOG_DIR: the whole output too, one file per service
    const logDir = process.env.FANOUT_BENCH_SERVICE_LOG_DIR;
    const file = logDir === undefined ? undefined : `${logDir}/${this.service}-${Date.now()}.log`;
    const keep = (d: Buffer): void => {
      this.output = (this.output + d.toString()).slice(-200_000);
      if (file !== undefined) appendFileSync(file, d);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitFor(
      () => this.output.includes(readyMessage) || child.exitCode !== null,
      `${this.service} ready`,
      180_000,
    );
    if (child.exitCode !== null) throw new Error(`${this.service} exited:\n${this.output}`);
  }

  /**
   * The fields of the first JSON log line with this message still in the kept tail: ask right
   * after start(), as for the api's "api listening" and its port.
   */
  logged(msg: string): Record<string, unknown> | undefined {
    return loggedFields(this.output, msg);
  }

  /** The base URL the api listens on, from the port its "api listening" line logs. */
  apiBase(): string {
    const port = this.logged('api listening')?.port;
    if (typeof port !== 'number') throw new Error(`${this.service} logged no port it listens on`);
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
