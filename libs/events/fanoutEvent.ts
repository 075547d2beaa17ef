import { eventIdFromCoordinates } from './eventId.ts';
import { CONTENT_TYPE_HEADER, DEFAULT_CONTENT_TYPE, EVENT_ID_HEADER } from './recordHeaders.ts';

/** One event as the delivery code sees it, independent of the Kafka client that fetched it. */
export interface FanoutEvent {
  id: string;
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit; kept as the decimal string the client gives. */
  offset: string;
  key: string | null;
  /** The record value exactly as produced: delivered byte for byte. */
  body: Buffer;
  contentType: string;
  timestampMs: number;
  /** The record's headers as fetched (not copied): read them with `headerString`. */
  headers: RawRecord['headers'];
}

export interface RawRecord {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  timestamp: string;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

const EMPTY = Buffer.alloc(0);

export function headerString(headers: RawRecord['headers'], name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

export function toFanoutEvent(topic: string, partition: number, record: RawRecord): FanoutEvent {
  const timestampMs = Number(record.timestamp);
  return {
    id:
      headerString(record.headers, EVENT_ID_HEADER) ??
      eventIdFromCoordinates(topic, partition, record.offset, timestampMs),
    topic,
    partition,
    offset: record.offset,
    key: record.key === null ? null : record.key.toString('utf8'),
    body: record.value ?? EMPTY,
    contentType: headerString(record.headers, CONTENT_TYPE_HEADER) ?? DEFAULT_CONTENT_TYPE,
    timestampMs,
    headers: record.headers,
  };
}
