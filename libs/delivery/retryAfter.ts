// An endpoint cannot park a partition for more than this with one Retry-After.
const MAX_RETRY_AFTER_MS = 3600_000;

/**
 * Milliseconds to wait according to a Retry-After header (RFC 9110: delay-seconds or an
 * HTTP-date), capped at an hour; undefined when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
