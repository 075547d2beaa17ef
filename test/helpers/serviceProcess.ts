import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_ENV } from './testEnv.ts';
import { waitFor } from './waitFor.ts';
import { loggedFields } from './loggedFields.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A Fanout service as its own OS process, so a test can SIGKILL it like a crash would. */
export class ServiceProcess {
  output = '';
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private readonly service: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(service: string, env: NodeJS.ProcessEnv = {}) {
    this.service = service;
    this.env = env;
  }

  /** Starts the process and resolves once it logged `readyMessage`. */
  async start(readyMessage: string, timeoutMs = 60_000): Promise<void> {
    this.output = '';
    const child = spawn(process.execPath, [`services/${this.service}/main.ts`], {
      cwd: ROOT,
      // start() waits for an info line, so info it is
      env: { ...TEST_ENV, ...this.env, FANOUT_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor(
      () => this.output.includes(readyMessage) || child.exitCode !== null,
      `${this.service} to log "${readyMessage}"`,
      timeoutMs,
    );
    if (child.exitCode !== null) {
      throw new Error(`${this.service} exited (${child.exitCode}):\n${this.output}`);
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Sends a signal without waiting for an exit (SIGSTOP / SIGCONT). */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** The fields of the first JSON log line with this message, once it was logged. */
  logged(msg: string): Record<string, unknown> | undefined {
    return loggedFields(this.output, msg);
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    this.child?.kill(signal);
    return this.exited;
  }
}
