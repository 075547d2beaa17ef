import { validationError } from '../../../libs/errors/FanoutError.ts';
import type { StartFrom } from '../../../libs/registry/types.ts';
import {
  optionalEnum,
  optionalString,
  rejectUnknownFields,
  requireObject,
  requireString,
} from './fields.ts';
import { parseTopicName } from './topicName.ts';

export interface CreateSubscriptionRequest {
  topic: string;
  endpoint: string;
  secret: string | null;
  startFrom: StartFrom;
}

export function parseCreateSubscription(body: unknown): CreateSubscriptionRequest {
  const obj = requireObject(body, 'body');
  rejectUnknownFields(obj, ['topic', 'endpoint', 'secret', 'startFrom']);
  const secret = optionalString(obj, 'secret', 'secret', 256) ?? null;
  if (secret !== null && secret.length < 16) {
    throw validationError('secret', 'secret must be at least 16 characters');
  }
  return {
    topic: parseTopicName(obj.topic, 'topic'),
    endpoint: parseEndpoint(requireString(obj, 'endpoint', 'endpoint', 2048)),
    secret,
    startFrom:
      optionalEnum(obj, 'startFrom', 'startFrom', ['latest', 'earliest'] as const) ?? 'latest',
  };
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
