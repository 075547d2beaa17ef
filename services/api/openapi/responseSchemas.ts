import { ERROR_CODES } from '../../../libs/errors/errorCodes.ts';
import { SCOPES } from '../../../libs/auth/scopes.ts';
import { LAG_STATUSES } from '../../../libs/lag/evaluateLag.ts';
import { nullable, type JsonSchema } from './requestSchemas.ts';

/**
 * JSON Schemas of response bodies. Integration tests check every response they get against
 * these (test/helpers/api.ts), so the document describes what the api really answers. Objects
 * list what clients may rely on; they stay open to fields added later.
 */
const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const object = (properties: Record<string, JsonSchema>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
});
const string: JsonSchema = { type: 'string' };
const integer: JsonSchema = { type: 'integer' };
const number: JsonSchema = { type: 'number' };
const boolean: JsonSchema = { type: 'boolean' };
const time: JsonSchema = { type: 'string', format: 'date-time' };
const offset: JsonSchema = { type: 'string', pattern: '^-?\\d+$', description: 'Kafka offset' };
const offsets: JsonSchema = {
  type: 'object',
  additionalProperties: offset,
  description: 'Partition → offset.',
};
const uuid: JsonSchema = { type: 'string', format: 'uuid' };
const array = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
/** A stored body: JSON as `payload`, anything else base64 in `bodyBase64`. */
const withBody = (schema: JsonSchema): JsonSchema => ({
  ...schema,
  properties: { ...(schema.properties as object), payload: {}, bodyBase64: string },
  oneOf: [
    { type: 'object', required: ['payload'] },
    { type: 'object', required: ['bodyBase64'] },
  ],
});

export const RESPONSE_SCHEMAS: Record<string, JsonSchema> = {
  Error: object({
    error: object(
      {
        code: { enum: Object.keys(ERROR_CODES) },
        message: string,
        field: string,
        retriable: boolean,
      },
      ['code', 'message', 'retriable'],
    ),
  }),
  Health: object({ status: { const: 'ok' } }),
  Readiness: object(
    {
      status: { enum: ['ready', 'unavailable'] },
      checks: { type: 'object', additionalProperties: string },
      error: ref('Error/properties/error'),
    },
    ['status', 'checks'],
  ),
  Routing: object(
    {
      mode: { enum: ['read', 'write'] },
      state: string,
      pinned: nullable({ enum: ['read', 'write'] }),
      reason: nullable(string),
      activeSubscriptions: nullable(integer),
      eventsPerSecond: nullable(number),
      switchOffsets: offsets,
      since: time,
    },
    ['mode', 'state', 'pinned', 'since'],
  ),
  Topic: object(
    {
      name: string,
      partitions: integer,
      schemaSubject: nullable(string),
      createdAt: time,
      routing: ref('Routing'),
    },
    ['name', 'partitions', 'schemaSubject', 'createdAt'],
  ),
  TopicList: object({ topics: array(ref('Topic')) }),
  Subscription: object(
    {
      id: uuid,
      topic: string,
      endpoint: string,
      signed: boolean,
      previousSecretExpiresAt: time,
      startFrom: { enum: ['latest', 'earliest'] },
      startOffsets: offsets,
      consumerGroup: string,
      state: { enum: ['active', 'failing', 'paused', 'disabled'] },
      disabledReason: string,
      retry: object({
        initialDelayMs: integer,
        maxDelayMs: integer,
        multiplier: number,
        maxAttempts: nullable(integer),
        maxAgeMs: nullable(integer),
      }),
      timeoutMs: integer,
      ordering: { enum: ['partition', 'key', 'none'] },
      maxInFlight: integer,
      onExhausted: { enum: ['dead-letter', 'hold'] },
      rateLimit: nullable(integer),
      batch: nullable(object({ maxEvents: integer, maxWaitMs: integer })),
      filter: nullable({ type: 'object' }),
      cloudEvents: { enum: ['binary', 'structured', null] },
      payloadFormat: { enum: ['raw', 'decoded'] },
      deadLetterTopic: {
        type: 'string',
        description: 'Made in Kafka when the first event is dead-lettered.',
      },
      secret: { type: 'string', description: 'Only in the answer that created or rotated it.' },
      createdAt: time,
      updatedAt: time,
    },
    [
      'id',
      'topic',
      'endpoint',
      'signed',
      'startFrom',
      'consumerGroup',
      'state',
      'retry',
      'timeoutMs',
      'ordering',
      'maxInFlight',
      'filter',
      'cloudEvents',
      'payloadFormat',
      'deadLetterTopic',
      'createdAt',
      'updatedAt',
    ],
  ),
  SubscriptionWithSecret: {
    allOf: [ref('Subscription'), { type: 'object', required: ['secret'] }],
  },
  SubscriptionList: object({ subscriptions: array(ref('Subscription')) }),
  ProduceResult: object({
    events: array(object({ id: uuid, partition: integer, offset })),
  }),
  SeekResult: object({
    dryRun: boolean,
    partitions: {
      type: 'object',
      additionalProperties: object({ from: nullable(offset), to: offset, redelivered: offset }),
    },
  }),
  DeadLetterPage: object(
    {
      total: integer,
      items: array(
        withBody(
          object(
            {
              id: string,
              eventId: string,
              status: string,
              original: { type: 'object' },
              attempts: integer,
              lastStatus: nullable(integer),
              lastError: nullable(string),
              createdAt: time,
            },
            ['id', 'eventId', 'status', 'original', 'attempts', 'createdAt'],
          ),
        ),
      ),
      next: string,
    },
    ['total', 'items'],
  ),
  ReplayRequested: object({ requested: integer }),
  Discarded: object({ discarded: integer }),
  HeldPage: object({
    total: integer,
    items: array(
      object(
        {
          eventId: string,
          partition: integer,
          offset,
          attempts: integer,
          heldAt: time,
        },
        ['eventId', 'partition', 'offset', 'attempts', 'heldAt'],
      ),
    ),
  }),
  Released: object({ released: integer, action: { enum: ['retry', 'dead-letter'] } }),
  SubscriptionStatus: object(
    {
      subscriptionId: uuid,
      topic: string,
      consumerGroup: string,
      state: string,
      mode: { enum: ['read', 'write'] },
      status: { enum: [...LAG_STATUSES] },
      evaluatedAt: time,
      lagMessages: number,
      lagSeconds: number,
      drainSeconds: nullable(number),
      causes: array({ type: 'object' }),
      partitions: array({ type: 'object' }),
      delivery: nullable({ type: 'object' }),
    },
    ['subscriptionId', 'topic', 'status', 'lagMessages', 'lagSeconds', 'partitions'],
  ),
  LagOverview: object({ subscriptions: array(ref('SubscriptionStatus')) }),
  PulledEvents: object(
    {
      subscriptionId: uuid,
      topic: string,
      partition: integer,
      events: array(
        withBody(
          object(
            { id: string, offset, key: nullable(string), timestamp: time, contentType: string },
            ['id', 'offset', 'timestamp', 'contentType'],
          ),
        ),
      ),
      next: nullable(offset),
      endOffset: offset,
    },
    ['subscriptionId', 'topic', 'partition', 'events', 'next', 'endOffset'],
  ),
  OpenApi: { type: 'object', required: ['openapi', 'paths'] },
  ApiKey: object(
    {
      id: uuid,
      name: string,
      prefix: string,
      scopes: array({ enum: [...SCOPES] }),
      createdAt: time,
      revokedAt: nullable(time),
    },
    ['id', 'name', 'prefix', 'scopes', 'createdAt', 'revokedAt'],
  ),
  ApiKeyWithToken: {
    allOf: [
      ref('ApiKey'),
      {
        type: 'object',
        properties: { key: { type: 'string', description: 'The token, shown only here.' } },
        required: ['key'],
      },
    ],
  },
  ApiKeyList: object({ apiKeys: array(ref('ApiKey')) }),
};
