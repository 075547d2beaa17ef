import { parsedJson } from '../events/bodyView.ts';
import type { FanoutEvent } from '../events/fanoutEvent.ts';
import type { SequenceMark } from '../sequence/partitionSequence.ts';

const OPEN = Buffer.from('[');
const CLOSE_ITEM = Buffer.from('}');
const CLOSE = Buffer.from(']');

/**
 * Several events of one partition as one delivery: a JSON array with each event's id,
 * coordinates, key, time, sequence and payload (the JSON bytes as produced, else base64). It
 * travels as a FanoutEvent so the single-event path (signing, retries, dead letters) carries it
 * unchanged; its offset is the first event's, which a restart reads first again, so the durable
 * retry state of the batch is found under it.
 */
export function batchEvent(
  events: FanoutEvent[],
  markOf: (e: FanoutEvent) => SequenceMark | undefined,
): FanoutEvent {
  const first = events[0]!;
  const last = events[events.length - 1]!;
  const chunks: Buffer[] = [OPEN];
  events.forEach((e, i) => {
    const mark = markOf(e);
    // the item's fields without their closing brace, then the payload, then the brace; built
    // as text (offsets are decimal digits, the time ISO) rather than through an object per event
    const open =
      `${i === 0 ? '' : ','}{"id":${JSON.stringify(e.id)},"topic":${JSON.stringify(e.topic)}` +
      `,"partition":${e.partition},"offset":"${e.offset}","key":${JSON.stringify(e.key)}` +
      `,"timestamp":"${new Date(e.timestampMs).toISOString()}"` +
      (mark === undefined
        ? ''
        : `,"seq":${mark.seq},"prevId":${JSON.stringify(mark.prevEventId)}`) +
      `,"contentType":${JSON.stringify(e.contentType)}`;
    // JSON goes in byte for byte (the same rule as bodyView's `payload`), the rest as base64
    if (parsedJson(e.contentType, e.body) !== undefined) {
      chunks.push(Buffer.from(`${open},"payload":`), e.body, CLOSE_ITEM);
    } else {
      chunks.push(Buffer.from(`${open},"bodyBase64":"${e.body.toString('base64')}"}`));
    }
  });
  chunks.push(CLOSE);
  return {
    id: `batch_${first.partition}_${first.offset}_${last.offset}`,
    topic: first.topic,
    partition: first.partition,
    offset: first.offset,
    key: null,
    body: Buffer.concat(chunks),
    contentType: 'application/json',
    timestampMs: first.timestampMs,
    headers: {},
  };
}
