import type pg from 'pg';
import type { Config } from '../../libs/config/loadConfig.ts';
import { applyHeldReleases } from '../../libs/deliveries/heldDeliveries.ts';
import { pruneDeliveries } from '../../libs/deliveries/pruneDeliveries.ts';
import { sweepExpiredLeases } from '../../libs/deliveries/sweepExpiredLeases.ts';
import type { Logger } from '../../libs/log/logger.ts';

// Rows per statement: bounded so a sweep never holds many row locks or runs long.
const BATCH = 1000;

/**
 * On an interval: returns rows whose lease expired to pending, makes held rows an operator
 * released due, and prunes settled rows past their retention. Every router process runs one;
 * the statements skip rows another holds or has taken.
 */
export class RowSweeper {
  private readonly pool: pg.Pool;
  private readonly config: Config;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(pool: pg.Pool, config: Config, log: Logger) {
    this.pool = pool;
    this.config = config;
    this.log = log.child({ component: 'row-sweeper' });
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.sweep());
    }, this.config.deliverySweepMs);
  }

  /** One pass; never throws (PostgreSQL down: the next pass tries again). */
  async sweep(): Promise<void> {
    try {
      const returned = await sweepExpiredLeases(this.pool, BATCH);
      if (returned > 0) this.log.warn('expired leases returned to pending', { rows: returned });
      const released = await applyHeldReleases(this.pool, BATCH);
      if (released > 0) this.log.info('held rows released by an operator', { rows: released });
      const pruned = await pruneDeliveries(this.pool, this.config.deliveredRetentionMs, BATCH);
      if (pruned.delivered + pruned.failed + pruned.events > 0) {
        this.log.debug('delivery rows pruned', pruned);
      }
    } catch (err) {
      this.log.warn('sweep failed', { err });
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
