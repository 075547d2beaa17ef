import type pg from 'pg';
import type { Config } from '../../libs/config/loadConfig.ts';
import { firstUnsettledOffsets, handBackPendingRows } from '../../libs/deliveries/pendingLag.ts';
import { setWriteFloors } from '../../libs/deliveries/writeFloors.ts';
import type { PartitionOffsets, TopicAdmin } from '../../libs/kafka/topicAdmin.ts';
import type { Logger } from '../../libs/log/logger.ts';
import { RegistryCache } from '../../libs/registry/registryCache.ts';
import { listSubscriptions } from '../../libs/registry/subscriptionStore.ts';
import { DELIVERING_STATES, groupIdOf, type Subscription } from '../../libs/registry/types.ts';
import { decideRoute, type RouteMode } from '../../libs/routing/routingDecision.ts';
import {
  listRoutes,
  recordDecision,
  transitionRoute,
  type TopicRoute,
} from '../../libs/routing/topicRouteStore.ts';

export interface ControllerDeps {
  pool: pg.Pool;
  admin: TopicAdmin;
  config: Config;
  log: Logger;
}

// One router process at a time drives the switches; the others deliver and dispatch.
const CONTROLLER_LOCK = 0x66616e6f; // 'fano'

/**
 * Decides each topic's mode and walks a topic through a switch, one safe step per tick:
 *
 *   read ──► to_write ──(every bridge of the topic has left its group; floors = their
 *                        committed offsets)──► write
 *   write ──► to_read (switch offsets = the log end, recorded under the route's row lock, so the
 *             router writes no row at or above them) ──(the router committed the switch offsets,
 *             no row pending or in flight; each subscription's group set to the switch offsets)
 *             ──► read
 *
 * Each step checks its condition again on the next tick if it is not met yet, so a crash of the
 * controller at any point leaves a state another tick (or another process) can finish.
 */
export class RoutingController {
  private readonly deps: ControllerDeps;
  private readonly log: Logger;
  private readonly lastEnds = new Map<string, { total: bigint; at: number }>();
  private readonly rates = new Map<string, number>();
  private readonly recorded = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;

  private readonly subscriptions: RegistryCache<Subscription[]>;

  constructor(deps: ControllerDeps) {
    this.deps = deps;
    this.log = deps.log.child({ component: 'routing' });
    this.subscriptions = new RegistryCache(deps.pool, 'subscriptions', listSubscriptions);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.ticking = this.ticking
        .then(() => this.tick())
        .catch((err: unknown) => this.log.error('routing tick failed', { err }));
    }, this.deps.config.routerDecideIntervalMs);
    this.ticking = this.tick().catch((err: unknown) =>
      this.log.error('routing tick failed', { err }),
    );
  }

  /** One pass over every topic; public so tests and the benchmark can step it. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const client = await this.deps.pool.connect();
    try {
      const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
        CONTROLLER_LOCK,
      ]);
      if (!locked.rows[0]!.ok) return;
      try {
        const subs = await this.subscriptions.get();
        const routes = await listRoutes(this.deps.pool);
        // every topic's end offsets in one pass: asked topic by topic, KafkaJS walks the
        // metadata of every topic it knows for each, and the router knows them all
        const bounds = await this.deps.admin.offsetBoundsOfMany(routes.map((r) => r.topic));
        const atMs = Date.now();
        const subsOf = new Map<string, Subscription[]>();
        for (const s of subs) {
          const list = subsOf.get(s.topic);
          if (list === undefined) subsOf.set(s.topic, [s]);
          else list.push(s);
        }
        for (const route of routes) {
          if (this.stopped) return;
          const ofTopic = subsOf.get(route.topic) ?? [];
          try {
            await this.step(
              route,
              ofTopic,
              this.measureRate(route.topic, bounds.get(route.topic)?.high, atMs),
            );
          } catch (err) {
            this.log.warn('routing step failed; next tick tries again', {
              topic: route.topic,
              err,
            });
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [CONTROLLER_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  /** Events/s since the last tick, from the topic's end offsets (null until two samples). */
  private measureRate(
    topic: string,
    ends: Record<string, string> | undefined,
    now: number,
  ): number | null {
    // Kafka did not answer for this topic this time: the last rate stands
    if (ends === undefined) return this.rates.get(topic) ?? null;
    const total = Object.values(ends).reduce((a, o) => a + BigInt(o), 0n);
    const before = this.lastEnds.get(topic);
    this.lastEnds.set(topic, { total, at: now });
    if (before !== undefined && now > before.at) {
      this.rates.set(topic, (Number(total - before.total) * 1000) / (now - before.at));
    }
    return this.rates.get(topic) ?? null;
  }

  private async step(
    route: TopicRoute,
    subs: Subscription[],
    eventsPerSecond: number | null,
  ): Promise<void> {
    const { config } = this.deps;
    const delivering = subs.filter((s) => s.state === 'active' || s.state === 'failing').length;
    const current: RouteMode =
      route.state === 'read' || route.state === 'to_read' ? 'read' : 'write';
    const decision = decideRoute(
      { subscriptions: delivering, eventsPerSecond, pinned: route.pinned, current },
      {
        maxSubscriptions: config.routerMaxSubscriptions,
        maxEventsPerSecond: config.routerMaxEventsPerSecond,
      },
    );
    const summary = JSON.stringify([decision.reason, delivering, eventsPerSecond?.toFixed(1)]);
    if (this.recorded.get(route.topic) !== summary) {
      await recordDecision(this.deps.pool, route.topic, {
        subscriptions: delivering,
        eventsPerSecond,
        reason: decision.reason,
      });
      this.recorded.set(route.topic, summary);
    }
    const mayMove =
      route.pinned !== null ||
      (config.routerAuto && Date.now() - route.stateSince.getTime() >= config.routerMinDwellMs);
    switch (route.state) {
      case 'read':
        if (decision.mode === 'write' && mayMove) {
          if (await transitionRoute(this.deps.pool, route.topic, 'read', 'to_write')) {
            this.log.info('topic moving to write fan-out', { topic: route.topic, ...decision });
          }
        }
        return;
      case 'to_write':
        if (decision.mode === 'read') {
          // the router never started on it: the bridges simply start again from their commits
          await transitionRoute(this.deps.pool, route.topic, 'to_write', 'read');
          return;
        }
        await this.finishToWrite(route.topic, subs);
        return;
      case 'write':
        if (decision.mode === 'read' && mayMove) await this.startToRead(route.topic);
        return;
      case 'to_read':
        await this.finishToRead(route, subs);
        return;
    }
  }

  /** Once no bridge is left on the topic, records each subscription's floor and hands over. */
  private async finishToWrite(topic: string, subs: Subscription[]): Promise<void> {
    const { admin, pool } = this.deps;
    for (const s of subs) {
      if ((await admin.groupMemberCount(groupIdOf(s.id))) > 0) return;
    }
    const floors: { subscriptionId: string; offsets: PartitionOffsets }[] = [];
    for (const s of subs) {
      const committed = await admin.committedOffsets(groupIdOf(s.id), topic);
      floors.push({ subscriptionId: s.id, offsets: { ...s.startOffsets, ...committed } });
    }
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await setWriteFloors(client, floors);
      const moved = await transitionRoute(client, topic, 'to_write', 'write');
      await client.query(moved ? 'COMMIT' : 'ROLLBACK');
      if (moved) this.log.info('topic in write fan-out', { topic, floors });
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Records the switch offsets (the log end) under the route's row lock: a router transaction
   * still writing rows holds the row FOR SHARE, so every batch either committed before (and
   * lies below the log end read here) or sees 'to_read' and stops at the switch offsets.
   */
  private async startToRead(topic: string): Promise<void> {
    const client = await this.deps.pool.connect();
    try {
      await client.query('BEGIN');
      const locked = await client.query(
        `SELECT 1 FROM topic_routes WHERE topic = $1 AND state = 'write' FOR UPDATE`,
        [topic],
      );
      if (locked.rowCount !== 1) {
        await client.query('ROLLBACK');
        return;
      }
      const ends = (await this.deps.admin.offsetBounds(topic)).high;
      await transitionRoute(client, topic, 'write', 'to_read', ends);
      await client.query('COMMIT');
      this.log.info('topic moving to read fan-out', { topic, switchOffsets: ends });
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Once the router reached the switch offsets and every row settled, the bridges take over.
   * (Rows of deleted subscriptions are never delivered and do not hold the switch up.)
   */
  private async finishToRead(route: TopicRoute, subs: Subscription[]): Promise<void> {
    const { admin, pool } = this.deps;
    const switchAt = route.switchOffsets ?? {};
    const routerAt = await admin.committedOffsets(this.deps.config.routerGroupId, route.topic);
    for (const [p, offset] of Object.entries(switchAt)) {
      if (BigInt(offset) > 0n && BigInt(routerAt[p] ?? '0') < BigInt(offset)) return;
    }
    // Rows of delivering subscriptions drain first; the rows of a paused or disabled
    // subscription, or of one with an event held for an operator (which may wait for days), are
    // handed back instead: its group is set to its first unsettled row, so its bridge delivers
    // them once it resumes, in order, and holds that event again under the same record (the
    // operator's release, made before or after, reaches the bridge). Rows in flight settle first.
    const unsettled = await firstUnsettledOffsets(pool, route.topic);
    for (const s of subs) {
      const u = unsettled.get(s.id);
      if (u !== undefined && (u.inFlight || (DELIVERING_STATES.includes(s.state) && !u.held))) {
        return;
      }
    }
    for (const s of subs) {
      const committed = await admin.committedOffsets(groupIdOf(s.id), route.topic);
      const first = unsettled.get(s.id)?.offsets ?? {};
      const target: PartitionOffsets = {};
      for (const [p, offset] of Object.entries(switchAt)) {
        // a subscription made during the switch starts later than the switch offset
        const own = BigInt(committed[p] ?? '0');
        let at = own > BigInt(offset) ? own : BigInt(offset);
        if (first[p] !== undefined && BigInt(first[p]) < at) at = BigInt(first[p]);
        target[p] = at.toString();
      }
      await admin.setGroupOffsets(groupIdOf(s.id), route.topic, target);
      if (unsettled.has(s.id)) await handBackPendingRows(pool, s.id, route.topic);
    }
    if (await transitionRoute(pool, route.topic, 'to_read', 'read', route.switchOffsets)) {
      this.log.info('topic in read fan-out', { topic: route.topic, switchOffsets: switchAt });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
  }
}
