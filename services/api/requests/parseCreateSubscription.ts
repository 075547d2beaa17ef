import { validationError } from '../../../libs/errors/FanoutError.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../../libs/delivery/retryPolicy.ts';
import type { StartFrom } from '../../../libs/registry/types.ts';
import {
  optionalEnum,
  optionalString,
  rejectUnknownFields,
  requireObject,
  requireString,
} from './fields.ts';
import { parseRetryPolicy } from './parseRetryPolicy.ts';
import { parseTopicName } from './topicName.ts';

export interface CreateSubscriptionRequest {
  topic: string;
  endpoint: string;
  secret: string | null;
  startFrom: StartFrom;
  retry: RetryPolicy;
}

export interface UpdateSubscriptionRequest {
  endpoint?: string;
  secret?: string | null;
  retry: RetryPolicy;
  state?: 'active';
}

export function parseCreateSubscription(body: unknown): CreateSubscriptionRequest {
  const obj = requireObject(body, 'body');
  rejectUnknownFields(obj, ['topic', 'endpoint', 'secret', 'startFrom', 'retry', 'timeoutMs']);
  return {
    topic: parseTopicName(obj.topic, 'topic'),
    endpoint: parseEndpoint(requireString(obj, 'endpoint', 'endpoint', 2048)),
    secret: parseSecret(obj) ?? null,
    startFrom:
      optionalEnum(obj, 'startFrom', 'startFrom', ['latest', 'earliest'] as const) ?? 'latest',
    retry: parseRetryPolicy(obj, DEFAULT_RETRY_POLICY),
  };
}

/** A PATCH: only the fields present change; `state: "active"` re-enables a disabled subscription. */
export function parseUpdateSubscription(
  body: unknown,
  current: RetryPolicy,
): UpdateSubscriptionRequest {
  const obj = requireObject(body, 'body');
  rejectUnknownFields(obj, ['endpoint', 'secret', 'retry', 'timeoutMs', 'state']);
  const out: UpdateSubscriptionRequest = { retry: parseRetryPolicy(obj, current) };
  if (obj.endpoint !== undefined) {
    out.endpoint = parseEndpoint(requireString(obj, 'endpoint', 'endpoint', 2048));
  }
  if (obj.secret === null) out.secret = null;
  else if (obj.secret !== undefined) out.secret = parseSecret(obj);
  if (obj.state !== undefined) {
    if (obj.state !== 'active') {
      throw validationError('state', 'state may only be set to "active" (to re-enable)');
    }
    out.state = 'active';
  }
  return out;
}

function parseSecret(obj: Record<string, unknown>): string | undefined {
  const secret = optionalString(obj, 'secret', 'secret', 256);
  if (secret !== undefined && secret.length < 16) {
    throw validationError('secret', 'secret must be at least 16 characters');
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
