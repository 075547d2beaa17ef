import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { DeliveredMarks } from '../../libs/dedupe/deliveredMarks.ts';
import {
  finishReplay,
  leaseReplays,
  renewReplayLease,
  type DeadLetter,
} from '../../libs/deadletters/deadLetterStore.ts';
import { deliverWithPolicy, type RetryMemory } from '../../libs/delivery/deliverWithPolicy.ts';
import { endpointOf } from '../../libs/delivery/endpointOf.ts';
import type { SchemaCodec } from '../../libs/schemas/schemaCodec.ts';
import type { FanoutEvent } from '../../libs/events/fanoutEvent.ts';
import type { Logger } from '../../libs/log/logger.ts';
import { disableSubscription, findSubscription } from '../../libs/registry/subscriptionStore.ts';

const POLL_MS = 1000;
const BATCH = 10;
// renewed before every retry, so only a replayer that stopped (crash, pause) lets it lapse
const LEASE_MS = 60_000;

/**
 * Re-delivers dead letters an operator asked to replay, through the subscription's endpoint,
 * signatures and retry policy, marked with `fanout-replay: dead-letter`. Work is leased in
 * PostgreSQL, so any number of bridge processes share it; a replay is outside the partition's
 * order (its place there was given up when it was dead-lettered).
 */
export class DeadLetterReplayer {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly pool: pg.Pool;
  private readonly marks: DeliveredMarks;
  private readonly log: Logger;
  private readonly schemas: SchemaCodec | null;

  constructor(
    pool: pg.Pool,
    marks: DeliveredMarks,
    log: Logger,
    schemas: SchemaCodec | null = null,
  ) {
    this.pool = pool;
    this.marks = marks;
    this.schemas = schemas;
    this.log = log.child({ component: 'dead-letter-replayer' });
  }

  start(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let leased: DeadLetter[] = [];
      try {
        leased = await leaseReplays(this.pool, BATCH, LEASE_MS);
      } catch (err) {
        this.log.warn('cannot lease replays', { err });
      }
      await Promise.all(leased.map((l) => this.replay(l)));
      if (leased.length === 0) await sleep(POLL_MS);
    }
  }

  private async replay(letter: DeadLetter): Promise<void> {
    const sub = await findSubscription(this.pool, letter.subscriptionId);
    if (sub === undefined) return;
    const event: FanoutEvent = {
      id: letter.eventId,
      topic: letter.original.topic,
      partition: letter.original.partition,
      offset: letter.original.offset,
      key: letter.key,
      body: letter.body,
      contentType: letter.contentType,
      timestampMs: letter.createdAt.getTime(),
      headers: {},
    };
    let leaseHeld = true;
    const memory: RetryMemory = {
      get: () => undefined,
      save: async () => {
        leaseHeld = await renewReplayLease(this.pool, letter, LEASE_MS);
      },
      clear: async () => undefined,
    };
    const outcome = await deliverWithPolicy(event, {
      endpoint: endpointOf(sub, { 'fanout-replay': 'dead-letter' }, this.schemas),
      policy: sub.retry,
      memory,
      isOpen: () => !this.stopped && leaseHeld,
      log: this.log,
    });
    if (outcome.kind === 'acknowledged') {
      await this.marks.mark(sub.id, event.id);
      await finishReplay(this.pool, letter, { acknowledged: true });
      this.log.info('dead letter replayed', { subscriptionId: sub.id, eventId: event.id });
    } else if (outcome.kind === 'exhausted') {
      await finishReplay(this.pool, letter, { acknowledged: false, ...outcome });
    } else if (outcome.kind === 'gone') {
      await disableSubscription(this.pool, sub.id, `410 Gone from ${sub.endpoint}`);
      await finishReplay(this.pool, letter, {
        acknowledged: false,
        attempts: outcome.attempts,
        status: 410,
        error: 'HTTP 410',
      });
    }
    // abandoned: the lease lapses and another replayer (or this one, later) takes it up
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}
