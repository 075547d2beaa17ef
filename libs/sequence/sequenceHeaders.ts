import type { Endpoint } from '../delivery/postEvent.ts';
import type { SequenceMark } from './partitionSequence.ts';

/** The endpoint with a delivery's sequence headers added; as it is when the event has no mark. */
export function withSequenceHeaders(base: Endpoint, mark: SequenceMark | undefined): Endpoint {
  if (mark === undefined) return base;
  const headers: Record<string, string> = { ...base.extraHeaders, 'fanout-seq': String(mark.seq) };
  if (mark.prevEventId !== null) headers['fanout-prev-id'] = mark.prevEventId;
  return { ...base, extraHeaders: headers };
}
