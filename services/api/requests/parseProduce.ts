import { validationError } from '../../../libs/errors/FanoutError.ts';
import { isUuid } from '../../../libs/events/eventId.ts';
import { optionalString, rejectUnknownFields, requireObject, type JsonObject } from './fields.ts';

export interface ProducedEvent {
  /** Given by the producer so that a retry is recognised as the same event; else assigned. */
  id: string | null;
  key: string | null;
  /** The payload serialised once here; these bytes are what every subscriber receives. */
  value: Buffer;
  /** The payload as parsed, for topics whose schema subject encodes it instead. */
  payload: unknown;
  headers: Record<string, string>;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
const MAX_HEADERS = 32;

/** Accepts one event `{key, payload, headers}` or a batch `{events: [...]}`. */
export function parseProduce(body: unknown, maxEvents: number): ProducedEvent[] {
  const obj = requireObject(body, 'body');
  if ('events' in obj) {
    rejectUnknownFields(obj, ['events']);
    const events = obj.events;
    if (!Array.isArray(events)) throw validationError('events', 'events must be an array');
    if (events.length === 0) throw validationError('events', 'events must not be empty');
    if (events.length > maxEvents) {
      throw validationError('events', `events may hold at most ${maxEvents} events`);
    }
    const parsed = events.map((e, i) =>
      parseEvent(requireObject(e, `events[${i}]`), `events[${i}].`),
    );
    const seen = new Set<string>();
    parsed.forEach((e, i) => {
      if (e.id === null) return;
      if (seen.has(e.id)) {
        throw validationError(`events[${i}].id`, `events[${i}].id repeats an id of this request`);
      }
      seen.add(e.id);
    });
    return parsed;
  }
  return [parseEvent(obj, '')];
}

function parseEvent(obj: JsonObject, prefix: string): ProducedEvent {
  rejectUnknownFields(obj, ['id', 'key', 'payload', 'headers'], prefix);
  if (obj.payload === undefined) {
    throw validationError(`${prefix}payload`, `${prefix}payload is required`);
  }
  const key = optionalString(obj, 'key', `${prefix}key`, 1024) ?? null;
  const id = optionalString(obj, 'id', `${prefix}id`, 36) ?? null;
  if (id !== null && !isUuid(id)) {
    throw validationError(`${prefix}id`, `${prefix}id must be a UUID`);
  }
  return {
    id: id?.toLowerCase() ?? null,
    key,
    value: Buffer.from(JSON.stringify(obj.payload), 'utf8'),
    payload: obj.payload,
    headers: parseHeaders(obj.headers, `${prefix}headers`),
  };
}

function parseHeaders(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const obj = requireObject(value, field);
  const entries = Object.entries(obj);
  if (entries.length > MAX_HEADERS) {
    throw validationError(field, `${field} may hold at most ${MAX_HEADERS} headers`);
  }
  const out: Record<string, string> = {};
  for (const [name, v] of entries) {
    const f = `${field}.${name}`;
    if (!HEADER_NAME.test(name)) throw validationError(f, `${f} is not a valid header name`);
    const lower = name.toLowerCase();
    if (lower.startsWith('fanout-') || lower === 'content-type') {
      throw validationError(f, `${f} is reserved: Fanout sets it`);
    }
    if (typeof v !== 'string') throw validationError(f, `${f} must be a string`);
    if (v.length > 4096) throw validationError(f, `${f} must be at most 4096 characters`);
    out[lower] = v;
  }
  return out;
}
