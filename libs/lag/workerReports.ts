import type { Redis } from 'ioredis';
import type { DeliveryPeriod } from '../metrics/deliveryMetrics.ts';
import type { WorkerFacts } from './lagCauses.ts';

/** How often a bridge reports each subscription it delivers. */
export const WORKER_REPORT_MS = 2000;

/** What one bridge says about one subscription's deliveries over its last period. */
export interface WorkerReport extends DeliveryPeriod {
  at: number;
  /** The in-flight cap in force (adaptive, up to the subscription's maxInFlight). */
  limit: number;
  timeoutMs: number;
}

/**
 * Bridges report each subscription's delivery period to Redis (one hash per subscription, one
 * field per bridge, expiring), so the api — often another process — can say why a
 * subscription lags: slow endpoint, in-flight cap, rate limit. Redis down loses only this
 * explanation; nothing waits on it.
 */
export class WorkerReports {
  private readonly redis: Redis;
  private readonly instance: string;
  private readonly periodMs: number;

  constructor(redis: Redis, instance: string, periodMs: number) {
    this.redis = redis;
    this.instance = instance;
    this.periodMs = periodMs;
  }

  private key(subscriptionId: string): string {
    return `fanout:workers:${subscriptionId}`;
  }

  async publish(subscriptionId: string, report: WorkerReport): Promise<void> {
    const key = this.key(subscriptionId);
    try {
      await this.redis
        .multi()
        .hset(key, this.instance, JSON.stringify(report))
        .pexpire(key, this.periodMs * 3)
        .exec();
    } catch {
      // an explanation missing for a while, nothing more
    }
  }

  /** The reports of the last three periods from every bridge, summed; undefined without any. */
  async factsOf(subscriptionId: string, now = Date.now()): Promise<WorkerFacts | undefined> {
    let raw: Record<string, string>;
    try {
      raw = await this.redis.hgetall(this.key(subscriptionId));
    } catch {
      return undefined;
    }
    const reports = Object.values(raw)
      .map((v) => JSON.parse(v) as WorkerReport)
      .filter((r) => r.at > now - this.periodMs * 3);
    if (reports.length === 0) return undefined;
    const sum = (f: (r: WorkerReport) => number): number => reports.reduce((a, r) => a + f(r), 0);
    const answered = sum((r) => r.answered);
    const seconds =
      Math.max(
        1,
        sum((r) => r.periodMs),
      ) /
      1000 /
      reports.length;
    return {
      bridges: reports.length,
      inFlight: sum((r) => r.inFlight),
      limit: sum((r) => r.limit),
      started: sum((r) => r.started),
      paced: sum((r) => r.paced),
      attemptsPerSecond: answered / seconds,
      failedPerSecond: sum((r) => r.failed) / seconds,
      meanResponseMs:
        answered > 0 ? sum((r) => (r.meanResponseMs ?? 0) * r.answered) / answered : null,
      timeoutMs: Math.max(...reports.map((r) => r.timeoutMs)),
    };
  }
}
