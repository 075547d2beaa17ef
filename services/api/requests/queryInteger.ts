import { validationError } from '../../../libs/errors/FanoutError.ts';

/**
 * A whole number from the query string, bounded, or the fallback when absent. BigInt because
 * some (Kafka offsets) are 64-bit; `queryCount` is the small-number form.
 */
export function queryInteger(
  raw: unknown,
  field: string,
  min: bigint,
  max: bigint,
  fallback?: bigint,
): bigint {
  if (raw === undefined && fallback !== undefined) return fallback;
  if (typeof raw !== 'string' || !/^-?\d{1,19}$/.test(raw)) {
    throw validationError(field, `${field} must be an integer`);
  }
  const n = BigInt(raw);
  if (n < min || n > max) throw validationError(field, `${field} must be from ${min} to ${max}`);
  return n;
}

/** A page size or similar small count from the query string. */
export function queryCount(raw: unknown, field: string, max: number, fallback: number): number {
  return Number(queryInteger(raw, field, 1n, BigInt(max), BigInt(fallback)));
}
