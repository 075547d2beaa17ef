import type pg from 'pg';
import { Gauge, type Registry } from 'prom-client';
import { pendingLag } from '../deliveries/pendingLag.ts';
import { listRoutes } from '../routing/topicRouteStore.ts';

/**
 * Write fan-out's gauges, read from PostgreSQL when scraped (so every router process reports
 * the same truth): each topic's delivery mode, and per subscription the rows not delivered yet
 * and the age of the oldest — this mode's lag.
 */
export function registerRouterMetrics(registry: Registry, pool: pg.Pool): void {
  const registers = [registry];
  new Gauge({
    name: 'fanout_topic_route_mode',
    help: "1 for the topic's current delivery mode (read or write fan-out) and switch state.",
    labelNames: ['topic', 'mode', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await listRoutes(pool)) {
        const mode = r.state === 'write' || r.state === 'to_read' ? 'write' : 'read';
        this.set({ topic: r.topic, mode, state: r.state }, 1);
      }
    },
  });
  const pending = new Gauge({
    name: 'fanout_write_pending_rows',
    help: 'Delivery rows of a subscription in write fan-out not delivered yet (pending or in flight).',
    labelNames: ['subscription'] as const,
    registers,
  });
  new Gauge({
    name: 'fanout_write_oldest_pending_seconds',
    help: 'Age of the oldest delivery row of a subscription not delivered yet.',
    labelNames: ['subscription'] as const,
    registers,
    async collect() {
      this.reset();
      pending.reset();
      for (const l of await pendingLag(pool)) {
        pending.set({ subscription: l.subscriptionId }, l.pending + l.inFlight);
        this.set({ subscription: l.subscriptionId }, (l.oldestPendingAgeMs ?? 0) / 1000);
      }
    },
  });
}
