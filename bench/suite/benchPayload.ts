/**
 * The one payload every contender carries: a JSON object of exactly 1 KiB whose first field is
 * the produce time, so the sink can read it without parsing the whole body. Keys spread over
 * 1,000 values.
 */
export const PAYLOAD_BYTES = 1024;
export const KEY_COUNT = 1000;

export function benchKey(n: number): string {
  return `k${n % KEY_COUNT}`;
}

export function benchValue(n: number, sentAt: number): Buffer {
  const head = `{"sentAt":${sentAt},"n":${n},"filler":"`;
  const tail = '"}';
  return Buffer.from(head + 'x'.repeat(PAYLOAD_BYTES - head.length - tail.length) + tail);
}

const SENT_AT = Buffer.from('{"sentAt":');

/** The produce time stamped in a body, or undefined when it is not one of ours (or is 0). */
export function sentAtOf(body: Buffer): number | undefined {
  if (body.length < 24 || body.compare(SENT_AT, 0, SENT_AT.length, 0, SENT_AT.length) !== 0) {
    return undefined;
  }
  const end = body.indexOf(44 /* , */, SENT_AT.length);
  const sentAt = Number(body.toString('latin1', SENT_AT.length, end));
  return sentAt > 0 ? sentAt : undefined;
}

/**
 * Produce times of a request body: one event's, or a batch's — a JSON array whose items are the
 * events (their payload under `payload`) or the payloads themselves.
 */
export function stampsOf(body: Buffer): (number | undefined)[] {
  if (body[0] !== 0x5b /* [ */) return [sentAtOf(body)];
  type Item = { sentAt?: number; payload?: { sentAt?: number } };
  const items = JSON.parse(body.toString('utf8')) as Item[];
  return items.map((i) => i.payload?.sentAt || i.sentAt || undefined);
}
