import type { EventFormat } from '../../../libs/registry/types.ts';
import { optionalEnum, type JsonObject } from './fields.ts';

export const EVENT_FORMAT_FIELDS = ['cloudEvents', 'payloadFormat'];

/**
 * `cloudEvents`: "binary" | "structured" | null (plain webhook), and `payloadFormat`: "raw" |
 * "decoded"; fields left out keep `base`.
 */
export function parseEventFormat(obj: JsonObject, base: EventFormat): EventFormat {
  let cloudEvents = base.cloudEvents;
  if (obj.cloudEvents === null) cloudEvents = null;
  else if (obj.cloudEvents !== undefined) {
    cloudEvents =
      optionalEnum(obj, 'cloudEvents', 'cloudEvents', ['binary', 'structured'] as const) ?? null;
  }
  const payload =
    optionalEnum(obj, 'payloadFormat', 'payloadFormat', ['raw', 'decoded'] as const) ??
    base.payload;
  return { cloudEvents, payload };
}
