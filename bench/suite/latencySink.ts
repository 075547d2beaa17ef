import { ContenderProcess } from './contenderProcess.ts';

export interface LatencySinkStats {
  acked: number;
  latencies: number[];
  /** Longest stall of the sink process's loop since the last reset, ms. */
  loopMaxMs: number;
}

/** The handle of bench/suite/latencySinkMain.ts, run as its own process. */
export class LatencySink {
  private process: ContenderProcess | undefined;
  private base = '';

  get url(): string {
    return `${this.base}/hook`;
  }

  async start(): Promise<this> {
    this.process = new ContenderProcess(process.execPath, ['bench/suite/latencySinkMain.ts']);
    const [, port] = await this.process.waitFor(/latency sink on (\d+)/, 30_000);
    this.base = `http://127.0.0.1:${port}`;
    return this;
  }

  async reset(): Promise<void> {
    const res = await fetch(`${this.base}/_reset`, { method: 'POST' });
    if (res.status !== 204) throw new Error(`latency sink reset: ${res.status}`);
  }

  async stats(): Promise<LatencySinkStats> {
    const res = await fetch(`${this.base}/_stats`);
    if (res.status !== 200) throw new Error(`latency sink stats: ${res.status}`);
    return (await res.json()) as LatencySinkStats;
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }
}
