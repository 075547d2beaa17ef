/**
 * JSON Schemas (2020-12, the dialect of OpenAPI 3.1) of every request body. They are the one
 * source of truth for request shapes: the OpenAPI document publishes them and the api validates
 * every body against them before a route sees it (bodyValidation.ts). The route parsers then
 * turn valid bodies into domain values and check what a schema cannot say (cross-field rules).
 */
import { SCOPES } from '../../../libs/auth/scopes.ts';

export type JsonSchema = Record<string, unknown>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const int = (minimum: number, maximum: number, description?: string): JsonSchema => ({
  type: 'integer',
  minimum,
  maximum,
  ...(description === undefined ? {} : { description }),
});
/** Also null: by widening `type` where the schema has one (so errors stay on the field). */
export function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

export const TOPIC_NAME: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 249,
  pattern: '^(?!__|fanout\\.)(?!\\.{1,2}$)[a-zA-Z0-9._-]+$',
  description: 'Kafka topic name; "__" and "fanout." prefixes are reserved.',
};

/** Path parameters, by name, wherever a route has them. */
export const PATH_PARAMS: Record<string, JsonSchema> = {
  name: TOPIC_NAME,
  id: { type: 'string', format: 'uuid', description: 'Subscription or API key id.' },
};

const SCHEMA_SUBJECT: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  description: 'Schema-registry subject whose latest schema validates and encodes produced values.',
};

const ENDPOINT: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 2048,
  format: 'uri',
  description: 'Absolute http(s) URL without credentials.',
};

const SECRET: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  description: 'Signing secret: "whsec_" + base64 of 24-64 bytes. Generated when absent.',
};

const SCALAR: JsonSchema = { type: ['string', 'number', 'boolean', 'null'] };

/** The filter grammar (see README, Filters); its precise errors come from the filter parser. */
const FILTER: JsonSchema = {
  oneOf: [
    {
      type: 'object',
      properties: { and: { type: 'array', minItems: 1, items: ref('Filter') } },
      required: ['and'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { or: { type: 'array', minItems: 1, items: ref('Filter') } },
      required: ['or'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        field: { type: 'string', pattern: '^(key|headers\\.[^.]+|payload\\.[^.]+)$' },
        eq: SCALAR,
        prefix: { type: 'string' },
        in: { type: 'array', minItems: 1, maxItems: 100, items: SCALAR },
        exists: { type: 'boolean' },
      },
      required: ['field'],
      minProperties: 2,
      maxProperties: 2,
      additionalProperties: false,
    },
  ],
};

const RETRY: JsonSchema = {
  type: 'object',
  properties: {
    initialDelayMs: int(1, 3_600_000),
    maxDelayMs: int(1, 86_400_000),
    multiplier: { type: 'number', minimum: 1, maximum: 10 },
    maxAttempts: nullable(int(1, 1000)),
    maxAgeMs: nullable(int(1000, 30 * 86_400_000)),
  },
  additionalProperties: false,
  description:
    'Backoff and limits; null lifts a limit, but one of maxAttempts and maxAgeMs must remain.',
};

const BATCH: JsonSchema = {
  type: 'object',
  properties: { maxEvents: int(1, 1000), maxWaitMs: int(0, 60_000) },
  required: ['maxEvents'],
  additionalProperties: false,
};

/** Subscription settings that POST and PATCH share. */
const SUBSCRIPTION_SETTINGS: Record<string, JsonSchema> = {
  endpoint: ENDPOINT,
  retry: RETRY,
  timeoutMs: int(100, 300_000, 'Per-request timeout.'),
  ordering: { enum: ['partition', 'key', 'none'] },
  maxInFlight: int(1, 1000),
  onExhausted: { enum: ['dead-letter', 'hold'] },
  rateLimit: nullable(int(1, 100_000)),
  batch: nullable(BATCH),
  filter: nullable(ref('Filter')),
  cloudEvents: { enum: ['binary', 'structured', null] },
  payloadFormat: { enum: ['raw', 'decoded'] },
};

const HEADERS: JsonSchema = {
  type: 'object',
  maxProperties: 32,
  propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$" },
  additionalProperties: { type: 'string', maxLength: 4096 },
  description:
    'Record headers; content-type and fanout-* are reserved. ce_* headers carry CloudEvents attributes.',
};

const EVENT_FIELDS: Record<string, JsonSchema> = {
  id: nullable({
    type: 'string',
    format: 'uuid',
    description: 'Optional event id: a retry carrying the same id is delivered once.',
  }),
  key: nullable({ type: 'string', minLength: 1, maxLength: 1024 }),
  payload: { description: 'Any JSON value (or one that fits the topic schema subject).' },
  headers: nullable(HEADERS),
};

const EVENT: JsonSchema = {
  type: 'object',
  properties: EVENT_FIELDS,
  required: ['payload'],
  additionalProperties: false,
};

const IDS = (pattern: string, what: string): JsonSchema => ({
  type: 'array',
  minItems: 1,
  maxItems: 1000,
  items: { type: ['string', 'integer'], pattern },
  description: `The ${what} to act on; all when absent.`,
});

export const REQUEST_SCHEMAS: Record<string, JsonSchema> = {
  Filter: FILTER,
  CreateApiKey: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 200, description: 'A label for people.' },
      scopes: { type: 'array', minItems: 1, items: { enum: [...SCOPES] } },
    },
    required: ['name', 'scopes'],
    additionalProperties: false,
  },
  CreateTopic: {
    type: 'object',
    properties: {
      name: TOPIC_NAME,
      partitions: int(1, 1000, 'Default 3.'),
      schemaSubject: nullable(SCHEMA_SUBJECT),
    },
    required: ['name'],
    additionalProperties: false,
  },
  UpdateTopic: {
    type: 'object',
    properties: { schemaSubject: nullable(SCHEMA_SUBJECT) },
    required: ['schemaSubject'],
    additionalProperties: false,
  },
  RoutingPin: {
    type: 'object',
    properties: { mode: { enum: ['read', 'write', 'auto'] } },
    required: ['mode'],
    additionalProperties: false,
  },
  CreateSubscription: {
    type: 'object',
    properties: {
      topic: TOPIC_NAME,
      secret: nullable(SECRET),
      startFrom: { enum: ['latest', 'earliest'] },
      ...SUBSCRIPTION_SETTINGS,
    },
    required: ['topic', 'endpoint'],
    additionalProperties: false,
  },
  UpdateSubscription: {
    type: 'object',
    properties: {
      ...SUBSCRIPTION_SETTINGS,
      state: { const: 'active', description: 'Re-enables a disabled subscription.' },
    },
    additionalProperties: false,
  },
  RotateSecret: {
    type: 'object',
    properties: { secret: nullable(SECRET), overlapSeconds: int(0, 7 * 86_400) },
    additionalProperties: false,
  },
  Seek: {
    type: 'object',
    properties: {
      to: { enum: ['earliest', 'latest'] },
      timestamp: {
        type: ['string', 'integer'],
        description: 'ISO-8601 time or epoch milliseconds.',
      },
      offsets: {
        type: 'object',
        propertyNames: { pattern: '^\\d{1,6}$' },
        additionalProperties: { type: ['string', 'integer'], pattern: '^\\d{1,19}$', minimum: 0 },
        description: 'Partition → offset.',
      },
      redeliver: { type: 'boolean' },
      dryRun: { type: 'boolean' },
    },
    additionalProperties: false,
    description: 'Exactly one of to, timestamp, offsets.',
  },
  DeadLetterIds: {
    type: 'object',
    properties: { ids: IDS('^\\d{1,18}$', 'dead letters') },
    additionalProperties: false,
  },
  ReleaseHeld: {
    type: 'object',
    properties: {
      eventIds: IDS('^[0-9a-fA-F-]{36}$', 'held events'),
      action: { enum: ['retry', 'dead-letter'] },
    },
    additionalProperties: false,
  },
  // one object rather than oneOf, so an unknown field is named here like everywhere else
  Produce: {
    type: 'object',
    properties: {
      ...EVENT_FIELDS,
      events: {
        type: 'array',
        minItems: 1,
        items: EVENT,
        description: 'A batch, instead of one event: at most FANOUT_MAX_BATCH_EVENTS events.',
      },
    },
    additionalProperties: false,
    if: { type: 'object', required: ['events'] },
    else: { type: 'object', required: ['payload'] },
    description: 'One event, or `events` alone for a batch.',
  },
};
