import type { FanoutEvent } from '../events/fanoutEvent.ts';
import { cloudEventRequest, type CloudEventsMode } from './cloudEventRequest.ts';
import { REFUSED_CODE } from '../net/guardedLookup.ts';
import { httpPost } from './httpPost.ts';
import { parseRetryAfter } from './retryAfter.ts';
import { signWebhook } from './signature.ts';

export interface SigningKey {
  key: Buffer;
  /** Epoch ms after which this key no longer signs (a rotated-out secret); null: no end. */
  until: number | null;
}

export interface Endpoint {
  url: string;
  /** Keys that sign each request (newest first); none: the request goes unsigned. */
  signingKeys: SigningKey[];
  /** Sent with every request of this endpoint, e.g. to mark replays. */
  extraHeaders?: Record<string, string>;
  /** Deliver as a CloudEvent in this HTTP mode; absent: the plain webhook. */
  cloudEvents?: CloudEventsMode;
  /**
   * Turns the event into what the subscriber receives (e.g. a schema-registry record decoded
   * to JSON). A throw fails the attempt, which is retried like any other failure.
   */
  prepare?: (event: FanoutEvent) => Promise<FanoutEvent>;
}

export type AttemptOutcome =
  | { ok: true; status: number }
  | { ok: false; status: number | null; error: string; retryAfterMs?: number };

/**
 * One POST of one event. The body is the record value byte for byte; everything Fanout knows
 * about the event travels in headers, so the subscriber's payload is exactly what was produced.
 * A CloudEvents subscription gets the same, shaped by the CloudEvents HTTP binding (and signed
 * over the body actually sent).
 */
export async function postEvent(
  endpoint: Endpoint,
  fetched: FanoutEvent,
  attempt: number,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  let event = fetched;
  if (endpoint.prepare !== undefined) {
    try {
      event = await endpoint.prepare(fetched);
    } catch (err) {
      return { ok: false, status: null, error: (err as Error).message };
    }
  }
  const contentType = isHeaderSafe(event.contentType)
    ? event.contentType
    : 'application/octet-stream';
  const shaped =
    endpoint.cloudEvents === undefined
      ? { contentType, headers: {}, body: event.body }
      : cloudEventRequest(event, contentType, endpoint.cloudEvents);
  const headers: Record<string, string> = {
    ...shaped.headers,
    'content-type': shaped.contentType,
    'webhook-id': event.id,
    'fanout-topic': event.topic,
    'fanout-partition': String(event.partition),
    'fanout-offset': event.offset,
    'fanout-attempt': String(attempt),
    ...endpoint.extraHeaders,
  };
  if (event.key !== null) {
    // a key is arbitrary bytes; one that cannot travel as a header value goes base64-encoded
    if (isHeaderSafe(event.key)) headers['fanout-key'] = event.key;
    else headers['fanout-key-base64'] = Buffer.from(event.key, 'utf8').toString('base64');
  }
  Object.assign(headers, signatureHeaders(endpoint.signingKeys, event.id, shaped.body));
  try {
    const res = await httpPost(endpoint.url, headers, shaped.body, timeoutMs);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    const outcome: AttemptOutcome & { ok: false } = {
      ok: false,
      status: res.status,
      error: `HTTP ${res.status}`,
    };
    if (res.status === 429 || res.status === 503) {
      const retryAfterMs = parseRetryAfter(res.retryAfter);
      if (retryAfterMs !== undefined) outcome.retryAfterMs = retryAfterMs;
    }
    return outcome;
  } catch (err) {
    const e = err as Error & { code?: string };
    // a refused endpoint says why in its message; for socket errors the code says enough
    return {
      ok: false,
      status: null,
      error: e.code === REFUSED_CODE ? e.message : (e.code ?? e.message),
    };
  }
}

/**
 * Standard Webhooks signature headers for a message (none when there is no key): one
 * signature per key still valid, so receivers can move to a rotated secret at their pace.
 */
export function signatureHeaders(
  keys: SigningKey[],
  id: string,
  body: Buffer,
): Record<string, string> {
  if (keys.length === 0) return {};
  const now = Date.now();
  const ts = Math.floor(now / 1000);
  return {
    'webhook-timestamp': String(ts),
    'webhook-signature': keys
      .filter((k) => k.until === null || now < k.until)
      .map((k) => signWebhook(k.key, id, ts, body))
      .join(' '),
  };
}

const HEADER_SAFE = /^[\x20-\x7e]{0,4096}$/;

function isHeaderSafe(value: string): boolean {
  return HEADER_SAFE.test(value) && value.trim() === value;
}
