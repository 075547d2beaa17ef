import { cloudEventAttributesOf } from '../events/cloudEventAttributes.ts';
import type { FanoutEvent } from '../events/fanoutEvent.ts';

/** How a subscription receives CloudEvents over HTTP (CloudEvents 1.0 HTTP protocol binding). */
export type CloudEventsMode = 'binary' | 'structured';

export interface ShapedRequest {
  contentType: string;
  /** Sent in addition to Fanout's own headers. */
  headers: Record<string, string>;
  body: Buffer;
}

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/**
 * The HTTP request of one event as a CloudEvent. Binary mode keeps the body byte for byte and puts
 * every attribute in a `ce-` header; structured mode sends one JSON object holding the attributes
 * and the data (as JSON when the event is JSON, else base64 in `data_base64`).
 */
export function cloudEventRequest(
  event: FanoutEvent,
  contentType: string,
  mode: CloudEventsMode,
): ShapedRequest {
  const attributes = cloudEventAttributesOf(event);
  if (mode === 'binary') {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(attributes)) {
      headers[`ce-${name}`] = encodeHeaderValue(value);
    }
    return { contentType, headers, body: event.body };
  }
  const envelope: Record<string, unknown> = { ...attributes, datacontenttype: contentType };
  const json = isJson(contentType) ? parseJson(event.body) : undefined;
  if (json !== undefined) envelope.data = json.value;
  else if (event.body.length > 0) envelope.data_base64 = event.body.toString('base64');
  return {
    contentType: STRUCTURED_CONTENT_TYPE,
    headers: {},
    body: Buffer.from(JSON.stringify(envelope), 'utf8'),
  };
}

function isJson(contentType: string): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

function parseJson(body: Buffer): { value: unknown } | undefined {
  if (body.length === 0) return undefined;
  try {
    return { value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    // declared JSON but is not: carried as bytes rather than lost
    return undefined;
  }
}

/**
 * HTTP binding, "Metadata Headers": a value is percent-encoded where it holds a space, a double
 * quote, a percent sign or anything outside printable ASCII (as UTF-8 octets).
 */
export function encodeHeaderValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const printable = byte > 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x25;
    out += printable
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
