import { validationError } from '../../../libs/errors/FanoutError.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../../libs/delivery/retryPolicy.ts';
import {
  DEFAULT_DELIVERY_SETTINGS,
  type BatchSettings,
  DEFAULT_EVENT_FORMAT,
  type DeliverySettings,
  type EventFormat,
  type StartFrom,
} from '../../../libs/registry/types.ts';
import {
  optionalEnum,
  optionalInteger,
  optionalString,
  rejectUnknownFields,
  requireObject,
  requireString,
} from './fields.ts';
import { generateSecret, parseSecret, SECRET_RULE } from '../../../libs/delivery/signature.ts';
import { parseFilter, type Filter } from '../../../libs/filter/eventFilter.ts';
import { EVENT_FORMAT_FIELDS, parseEventFormat } from './parseEventFormat.ts';
import { parseRetryPolicy } from './parseRetryPolicy.ts';
import { parseTopicName } from './topicName.ts';

export interface CreateSubscriptionRequest {
  topic: string;
  endpoint: string;
  secret: string;
  startFrom: StartFrom;
  retry: RetryPolicy;
  delivery: DeliverySettings;
  filter: Filter | null;
  format: EventFormat;
}

export interface UpdateSubscriptionRequest {
  endpoint?: string;
  retry: RetryPolicy;
  delivery: DeliverySettings;
  filter?: Filter | null;
  format: EventFormat;
  state?: 'active';
}

export function parseCreateSubscription(body: unknown): CreateSubscriptionRequest {
  const obj = requireObject(body, 'body');
  rejectUnknownFields(obj, [
    'topic',
    'endpoint',
    'secret',
    'startFrom',
    'retry',
    'timeoutMs',
    'ordering',
    'maxInFlight',
    'filter',
    ...DELIVERY_FIELDS,
    ...EVENT_FORMAT_FIELDS,
  ]);
  const request = {
    topic: parseTopicName(obj.topic, 'topic'),
    endpoint: parseEndpoint(requireString(obj, 'endpoint', 'endpoint', 2048)),
    secret: parseSecretField(obj) ?? generateSecret(),
    startFrom:
      optionalEnum(obj, 'startFrom', 'startFrom', ['latest', 'earliest'] as const) ?? 'latest',
    retry: parseRetryPolicy(obj, DEFAULT_RETRY_POLICY),
    delivery: parseDeliverySettings(obj, DEFAULT_DELIVERY_SETTINGS),
    filter: obj.filter === undefined || obj.filter === null ? null : parseFilter(obj.filter),
    format: parseEventFormat(obj, DEFAULT_EVENT_FORMAT),
  };
  checkBatchFormat(request.delivery, request.format);
  return request;
}

/** A batch is one JSON array of raw payloads: not a CloudEvent, and not decoded per event. */
function checkBatchFormat(delivery: DeliverySettings, format: EventFormat): void {
  if (delivery.batch === null) return;
  if (format.cloudEvents !== null) {
    throw validationError('batch', 'batch cannot be combined with cloudEvents');
  }
  if (format.payload !== 'raw') {
    throw validationError('batch', 'batch delivers raw payloads; payloadFormat must be "raw"');
  }
}

/** A PATCH: only the fields present change; `state: "active"` re-enables a disabled subscription. */
export function parseUpdateSubscription(
  body: unknown,
  current: { retry: RetryPolicy; delivery: DeliverySettings; format: EventFormat },
): UpdateSubscriptionRequest {
  const obj = requireObject(body, 'body');
  // the secret changes through rotation only, which keeps the old one valid for a while
  rejectUnknownFields(obj, [
    'endpoint',
    'retry',
    'timeoutMs',
    'state',
    'ordering',
    'maxInFlight',
    'filter',
    ...DELIVERY_FIELDS,
    ...EVENT_FORMAT_FIELDS,
  ]);
  const out: UpdateSubscriptionRequest = {
    retry: parseRetryPolicy(obj, current.retry),
    delivery: parseDeliverySettings(obj, current.delivery),
    format: parseEventFormat(obj, current.format),
  };
  checkBatchFormat(out.delivery, out.format);
  if (obj.endpoint !== undefined) {
    out.endpoint = parseEndpoint(requireString(obj, 'endpoint', 'endpoint', 2048));
  }
  if (obj.filter === null) out.filter = null;
  else if (obj.filter !== undefined) out.filter = parseFilter(obj.filter);
  if (obj.state !== undefined) {
    if (obj.state !== 'active') {
      throw validationError('state', 'state may only be set to "active" (to re-enable)');
    }
    out.state = 'active';
  }
  return out;
}

export interface RotateSecretRequest {
  secret: string;
  overlapMs: number;
}

const DEFAULT_OVERLAP_SECONDS = 24 * 3600;

/** `{secret?, overlapSeconds?}`: a new secret (generated when absent) and how long the old stays. */
export function parseRotateSecret(body: unknown): RotateSecretRequest {
  const obj = body === undefined ? {} : requireObject(body, 'body');
  rejectUnknownFields(obj, ['secret', 'overlapSeconds']);
  const overlap =
    optionalInteger(obj, 'overlapSeconds', 'overlapSeconds', 0, 7 * 24 * 3600) ??
    DEFAULT_OVERLAP_SECONDS;
  return { secret: parseSecretField(obj) ?? generateSecret(), overlapMs: overlap * 1000 };
}

const DELIVERY_FIELDS = ['onExhausted', 'rateLimit', 'batch'];

function parseDeliverySettings(
  obj: Record<string, unknown>,
  base: DeliverySettings,
): DeliverySettings {
  return {
    ordering:
      optionalEnum(obj, 'ordering', 'ordering', ['partition', 'key', 'none'] as const) ??
      base.ordering,
    maxInFlight: optionalInteger(obj, 'maxInFlight', 'maxInFlight', 1, 1000) ?? base.maxInFlight,
    onExhausted:
      optionalEnum(obj, 'onExhausted', 'onExhausted', ['dead-letter', 'hold'] as const) ??
      base.onExhausted,
    // null lifts the cap
    rateLimitPerSecond:
      obj.rateLimit === null
        ? null
        : (optionalInteger(obj, 'rateLimit', 'rateLimit', 1, 100_000) ?? base.rateLimitPerSecond),
    batch: parseBatch(obj, base.batch),
  };
}

/** `batch: {maxEvents, maxWaitMs?}` turns batching on; `batch: null` turns it off. */
function parseBatch(
  obj: Record<string, unknown>,
  base: BatchSettings | null,
): BatchSettings | null {
  if (obj.batch === undefined) return base;
  if (obj.batch === null) return null;
  const batch = requireObject(obj.batch, 'batch');
  rejectUnknownFields(batch, ['maxEvents', 'maxWaitMs'], 'batch.');
  const maxEvents = optionalInteger(batch, 'maxEvents', 'batch.maxEvents', 1, 1000);
  if (maxEvents === undefined)
    throw validationError('batch.maxEvents', 'batch.maxEvents is required');
  return {
    maxEvents,
    maxWaitMs: optionalInteger(batch, 'maxWaitMs', 'batch.maxWaitMs', 0, 60_000) ?? 100,
  };
}

function parseSecretField(obj: Record<string, unknown>): string | undefined {
  const secret = optionalString(obj, 'secret', 'secret', 256);
  if (secret !== undefined && parseSecret(secret) === undefined) {
    throw validationError('secret', `secret must be ${SECRET_RULE}`);
  }
  return secret;
}

function parseEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw validationError('endpoint', 'endpoint must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw validationError('endpoint', `endpoint must use http or https, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw validationError('endpoint', 'endpoint must not carry credentials; use secret to sign');
  }
  return url.toString();
}
