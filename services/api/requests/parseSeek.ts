import { validationError } from '../../../libs/errors/FanoutError.ts';
import { rejectUnknownFields, requireObject } from './fields.ts';

export type SeekTarget =
  | { kind: 'earliest' | 'latest' }
  | { kind: 'timestamp'; timestampMs: number }
  | { kind: 'offsets'; offsets: Record<string, string> };

export interface SeekRequest {
  target: SeekTarget;
  /** Push events again even if dedupe marks say they were delivered. */
  redeliver: boolean;
  dryRun: boolean;
}

/**
 * `{"to": "earliest" | "latest"}`, `{"timestamp": ISO-8601 or epoch ms}` or
 * `{"offsets": {"<partition>": "<offset>"}}`, with optional `redeliver` and `dryRun`.
 */
export function parseSeek(body: unknown): SeekRequest {
  const obj = requireObject(body, 'body');
  rejectUnknownFields(obj, ['to', 'timestamp', 'offsets', 'redeliver', 'dryRun']);
  const given = ['to', 'timestamp', 'offsets'].filter((k) => obj[k] !== undefined);
  if (given.length !== 1) {
    throw validationError(
      'to',
      'give exactly one of to ("earliest" or "latest"), timestamp, offsets',
    );
  }
  const flag = (name: 'redeliver' | 'dryRun'): boolean => {
    const v = obj[name];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') throw validationError(name, `${name} must be true or false`);
    return v;
  };
  return { target: parseTarget(obj), redeliver: flag('redeliver'), dryRun: flag('dryRun') };
}

function parseTarget(obj: Record<string, unknown>): SeekTarget {
  if (obj.to !== undefined) {
    if (obj.to !== 'earliest' && obj.to !== 'latest') {
      throw validationError('to', 'to must be "earliest" or "latest"');
    }
    return { kind: obj.to };
  }
  if (obj.timestamp !== undefined) {
    const t = obj.timestamp;
    const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : NaN;
    if (!Number.isInteger(ms) || ms < 0) {
      throw validationError(
        'timestamp',
        'timestamp must be an ISO-8601 time or epoch milliseconds',
      );
    }
    return { kind: 'timestamp', timestampMs: ms };
  }
  const offsets = requireObject(obj.offsets, 'offsets');
  const out: Record<string, string> = {};
  for (const [p, o] of Object.entries(offsets)) {
    const field = `offsets.${p}`;
    if (!/^\d{1,6}$/.test(p)) throw validationError(field, `${field}: partitions are numbers`);
    const v = typeof o === 'number' ? String(o) : o;
    if (typeof v !== 'string' || !/^\d{1,19}$/.test(v)) {
      throw validationError(field, `${field} must be an offset (a non-negative integer)`);
    }
    out[p] = v;
  }
  if (Object.keys(out).length === 0)
    throw validationError('offsets', 'offsets must name a partition');
  return { kind: 'offsets', offsets: out };
}
