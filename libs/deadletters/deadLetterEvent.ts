import type pg from 'pg';
import type { DeliveredMarks } from '../dedupe/deliveredMarks.ts';
import { deadLetterRecord, type DeadLetterReason } from '../delivery/deadLetterRecord.ts';
import type { FanoutEvent } from '../events/fanoutEvent.ts';
import type { EventProducer } from '../kafka/eventProducer.ts';
import type { Logger } from '../log/logger.ts';
import { recordDeadLetter } from './deadLetterStore.ts';
import type { DeadLetterTopics } from './deadLetterTopics.ts';

export interface DeadLetterDeps {
  producer: EventProducer;
  pool: pg.Pool;
  marks: DeliveredMarks;
  deadLetterTopics: DeadLetterTopics;
  log: Logger;
}

/**
 * Gives up on one event for one subscription: writes it to the subscription's dead-letter topic
 * (made on the first dead letter), indexes it for the dead-letter API, and marks it settled so a replay after a rebalance or a
 * crash does not dead-letter it twice. Throws only when Kafka refuses the record (the caller
 * tries again); returns the index row's id, undefined when only the index write failed.
 */
export async function deadLetterEvent(
  deps: DeadLetterDeps,
  subscriptionId: string,
  event: FanoutEvent,
  reason: DeadLetterReason,
): Promise<string | undefined> {
  const topic = await deps.deadLetterTopics.ensure(subscriptionId);
  const [written] = await deps.producer.send(topic, [deadLetterRecord(event, reason)]);
  // the API's index of dead letters; the topic stays the record if this write fails
  const id = await recordDeadLetter(deps.pool, subscriptionId, event, written!, reason).catch(
    (err: unknown) => {
      deps.log.error('dead letter not indexed', { eventId: event.id, err });
      return undefined;
    },
  );
  deps.log.warn('event dead-lettered', {
    subscriptionId,
    eventId: event.id,
    partition: event.partition,
    offset: event.offset,
    ...reason,
  });
  await deps.marks.mark(subscriptionId, event.id);
  return id;
}
