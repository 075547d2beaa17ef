import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * One contender as its own OS process (so its CPU is its own): started directly, never through
 * a shell, so `pid` is the process doing the work. Output is kept for error reports and for
 * contenders that print their own figures.
 */
export class ContenderProcess {
  output = '';
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO_ROOT) {
    this.child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid!;
    const keep = (d: Buffer): void => {
      // the tail is what matters; a chatty JVM must not grow this without bound
      this.output = (this.output + d.toString()).slice(-200_000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the output matches, throws if the process ends first or time runs out. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.output.match(pattern);
      if (m) return m;
      if (!this.running) throw new Error(`contender exited before ${pattern}:\n${this.tail()}`);
      if (Date.now() > deadline)
        throw new Error(`no ${pattern} in ${timeoutMs} ms:\n${this.tail()}`);
      await sleep(50);
    }
  }

  async exit(): Promise<number | null> {
    return this.exited;
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), sleep(graceMs, false)]);
    if (!done) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  tail(): string {
    return this.output.slice(-3000);
  }
}
