import { hash, randomFillSync } from 'node:crypto';

/**
 * Time-ordered event ids in the UUIDv7 layout (RFC 9562): 48 bits of Unix milliseconds, then
 * random bits. Ids made in the same millisecond by one process stay ordered through a counter
 * in the random part, so a batch keeps its produce order when sorted by id.
 */
let lastMs = -1;
let counter = 0;
const scratch = Buffer.alloc(16);

export function newEventId(now: number = Date.now()): string {
  randomFillSync(scratch);
  if (now <= lastMs) {
    now = lastMs;
    counter = (counter + 1) & 0xfff;
    if (counter === 0) now = lastMs = lastMs + 1;
  } else {
    lastMs = now;
    counter = scratch.readUInt16BE(6) & 0x7ff; // leave headroom so the counter rarely wraps
  }
  writeTimestamp(scratch, now);
  scratch[6] = 0x70 | ((counter >> 8) & 0x0f);
  scratch[7] = counter & 0xff;
  scratch[8] = 0x80 | (scratch[8]! & 0x3f);
  return format(scratch);
}

/**
 * The id of an event produced to Kafka without our id header. It must be the same every time
 * the record is read, so it is built only from what the log stores: the record's timestamp
 * (keeping ids time-ordered) and a hash of its coordinates in place of the random bits.
 */
export function eventIdFromCoordinates(
  topic: string,
  partition: number,
  offset: string,
  timestampMs: number,
): string {
  // one-shot: no Hash object per event (a bridge names every record it reads this way)
  const digest = hash('sha256', `${topic}\u0000${partition}\u0000${offset}`, 'buffer');
  const bytes = Buffer.alloc(16);
  digest.copy(bytes, 6, 0, 10);
  writeTimestamp(bytes, Math.max(0, timestampMs));
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  return format(bytes);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

function writeTimestamp(bytes: Buffer, ms: number): void {
  bytes.writeUIntBE(ms, 0, 6);
}

function format(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
