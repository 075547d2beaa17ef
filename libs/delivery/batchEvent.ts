import type { FanoutEvent } from '../events/fanoutEvent.ts';
import { bodyView } from '../events/bodyView.ts';
import type { SequenceMark } from '../sequence/partitionSequence.ts';

/**
 * Several events of one partition as one delivery: a JSON array with each event's id,
 * coordinates, key, time, sequence and payload (parsed when JSON, else base64). It travels as
 * a FanoutEvent so the single-event path (signing, retries, dead letters) carries it unchanged;
 * its offset is the first event's, which a restart reads first again, so the durable retry
 * state of the batch is found under it.
 */
export function batchEvent(
  events: FanoutEvent[],
  markOf: (e: FanoutEvent) => SequenceMark | undefined,
): FanoutEvent {
  const first = events[0]!;
  const last = events[events.length - 1]!;
  const items = events.map((e) => {
    const mark = markOf(e);
    return {
      id: e.id,
      topic: e.topic,
      partition: e.partition,
      offset: e.offset,
      key: e.key,
      timestamp: new Date(e.timestampMs).toISOString(),
      ...(mark === undefined ? {} : { seq: mark.seq, prevId: mark.prevEventId }),
      contentType: e.contentType,
      ...bodyView(e.contentType, e.body),
    };
  });
  return {
    id: `batch_${first.partition}_${first.offset}_${last.offset}`,
    topic: first.topic,
    partition: first.partition,
    offset: first.offset,
    key: null,
    body: Buffer.from(JSON.stringify(items)),
    contentType: 'application/json',
    timestampMs: first.timestampMs,
    headers: {},
  };
}
