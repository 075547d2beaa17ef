import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_ENV } from './testEnv.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the `fanout` command as a user would, with `input` on its standard input. */
export function runFanout(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['services/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...TEST_ENV, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(input);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
