import { TOPIC_NAME, type JsonSchema } from './requestSchemas.ts';

/** One API operation as the OpenAPI document describes it. */
export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express syntax (`:id`); the document writes `{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** A request body schema (components name); `optional` bodies may be left out. */
  body?: { schema: string; optional?: boolean };
  query?: Record<string, JsonSchema & { description: string; required?: boolean }>;
  /** Status → response schema (components name), or null for no body; errors are implied. */
  responses: Record<number, string | null>;
  /** Content type of the success body when it is not JSON. */
  produces?: string;
}

const SUB = 'subscriptions';
const limit = (max: number, def: number) => ({
  type: 'integer',
  minimum: 1,
  maximum: max,
  description: `Page size (default ${def}).`,
});

/** Every route the api serves. A test fails when an express route is missing here. */
export const OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness',
    tag: 'health',
    responses: { 200: 'Health' },
  },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: Kafka, PostgreSQL and Redis answer (503 names which does not)',
    tag: 'health',
    responses: { 200: 'Readiness', 503: 'Readiness' },
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics of this process',
    tag: 'health',
    responses: { 200: null },
    produces: 'text/plain',
  },
  ...(
    [
      ['/dashboard', 'The live dashboard (a static page calling this API)', 'text/html'],
      ['/dashboard/dashboard.js', "The dashboard's script", 'text/javascript'],
      ['/dashboard/dashboard.css', "The dashboard's styles", 'text/css'],
    ] as const
  ).map(([path, summary, produces]): Operation => ({
    method: 'get',
    path,
    summary,
    tag: 'dashboard',
    responses: { 200: null },
    produces,
  })),
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tag: 'health',
    responses: { 200: 'OpenApi' },
  },
  {
    method: 'post',
    path: '/v1/api-keys',
    summary: 'Create an API key with scopes; the token is shown only here',
    tag: 'api keys',
    body: { schema: 'CreateApiKey' },
    responses: { 201: 'ApiKeyWithToken' },
  },
  {
    method: 'get',
    path: '/v1/api-keys',
    summary: 'API keys',
    tag: 'api keys',
    responses: { 200: 'ApiKeyList' },
  },
  {
    method: 'get',
    path: '/v1/api-keys/:id',
    summary: 'One API key',
    tag: 'api keys',
    responses: { 200: 'ApiKey' },
  },
  {
    method: 'delete',
    path: '/v1/api-keys/:id',
    summary: 'Revoke an API key',
    tag: 'api keys',
    responses: { 204: null },
  },
  {
    method: 'post',
    path: '/v1/topics',
    summary: 'Create a Kafka topic and record it (409 if it exists)',
    tag: 'topics',
    body: { schema: 'CreateTopic' },
    responses: { 201: 'Topic' },
  },
  {
    method: 'get',
    path: '/v1/topics',
    summary: 'Registered topics',
    tag: 'topics',
    responses: { 200: 'TopicList' },
  },
  {
    method: 'get',
    path: '/v1/topics/:name',
    summary: 'One topic with its routing (a topic made by other tools is registered on first use)',
    tag: 'topics',
    responses: { 200: 'Topic' },
  },
  {
    method: 'patch',
    path: '/v1/topics/:name',
    summary: 'Set or drop the schema subject of a topic',
    tag: 'topics',
    body: { schema: 'UpdateTopic' },
    responses: { 200: 'Topic' },
  },
  {
    method: 'put',
    path: '/v1/topics/:name/routing',
    summary: 'Pin a topic to read or write fan-out, or let the router decide (auto)',
    tag: 'topics',
    body: { schema: 'RoutingPin' },
    responses: { 200: 'Routing' },
  },
  {
    method: 'post',
    path: '/v1/topics/:name/events',
    summary: 'Produce one event or a batch; 202 once Kafka acknowledged every event (acks=all)',
    tag: 'events',
    body: { schema: 'Produce' },
    responses: { 202: 'ProduceResult' },
  },
  {
    method: 'post',
    path: `/v1/${SUB}`,
    summary: 'Subscribe an endpoint to a topic; the secret is shown only here',
    tag: SUB,
    body: { schema: 'CreateSubscription' },
    responses: { 201: 'SubscriptionWithSecret' },
  },
  {
    method: 'get',
    path: `/v1/${SUB}`,
    summary: 'Subscriptions, optionally of one topic',
    tag: SUB,
    query: { topic: { ...TOPIC_NAME, description: 'Only subscriptions of this topic.' } },
    responses: { 200: 'SubscriptionList' },
  },
  {
    method: 'get',
    path: `/v1/${SUB}/:id`,
    summary: 'One subscription',
    tag: SUB,
    responses: { 200: 'Subscription' },
  },
  {
    method: 'patch',
    path: `/v1/${SUB}/:id`,
    summary: 'Change settings; state "active" re-enables a disabled subscription',
    tag: SUB,
    body: { schema: 'UpdateSubscription' },
    responses: { 200: 'Subscription' },
  },
  {
    method: 'delete',
    path: `/v1/${SUB}/:id`,
    summary: 'Delete a subscription',
    tag: SUB,
    responses: { 204: null },
  },
  {
    method: 'post',
    path: `/v1/${SUB}/:id/rotate-secret`,
    summary: 'New signing secret (shown once); the old one signs too during the overlap',
    tag: SUB,
    body: { schema: 'RotateSecret', optional: true },
    responses: { 200: 'SubscriptionWithSecret' },
  },
  {
    method: 'post',
    path: `/v1/${SUB}/:id/pause`,
    summary: 'Stop deliveries',
    tag: SUB,
    responses: { 200: 'Subscription' },
  },
  {
    method: 'post',
    path: `/v1/${SUB}/:id/resume`,
    summary: 'Restart deliveries',
    tag: SUB,
    responses: { 200: 'Subscription' },
  },
  {
    method: 'post',
    path: `/v1/${SUB}/:id/seek`,
    summary: "Move the subscription's consumer group (earliest, latest, a time or offsets)",
    tag: SUB,
    body: { schema: 'Seek' },
    responses: { 200: 'SeekResult' },
  },
  {
    method: 'get',
    path: `/v1/${SUB}/:id/status`,
    summary: 'Lag and its evaluation (ok, lagging, stalled, failing, paused) with causes',
    tag: 'lag',
    responses: { 200: 'SubscriptionStatus' },
  },
  {
    method: 'get',
    path: '/v1/lag',
    summary: 'Lag of every subscription',
    tag: 'lag',
    query: { history: { type: 'boolean', description: 'Include recent history for graphs.' } },
    responses: { 200: 'LagOverview' },
  },
  {
    method: 'get',
    path: `/v1/${SUB}/:id/dead-letters`,
    summary: 'Dead letters, by page',
    tag: 'dead letters',
    query: {
      status: {
        enum: ['dead', 'replay_requested', 'replaying', 'replayed', 'discarded'],
        description: 'Default dead.',
      },
      limit: limit(500, 50),
      after: {
        type: 'string',
        pattern: '^\\d{1,18}$',
        description: 'The `next` of the previous page.',
      },
    },
    responses: { 200: 'DeadLetterPage' },
  },
  {
    method: 'post',
    path: `/v1/${SUB}/:id/dead-letters/replay`,
    summary: "Re-deliver dead letters through the subscription's endpoint and policy",
    tag: 'dead letters',
    body: { schema: 'DeadLetterIds', optional: true },
    responses: { 202: 'ReplayRequested' },
  },
  {
    method: 'post',
    path: `/v1/${SUB}/:id/dead-letters/discard`,
    summary: 'Drop dead letters from the list (the topic keeps them)',
    tag: 'dead letters',
    body: { schema: 'DeadLetterIds', optional: true },
    responses: { 200: 'Discarded' },
  },
  {
    method: 'get',
    path: `/v1/${SUB}/:id/held`,
    summary: 'Events parked by onExhausted: hold',
    tag: 'dead letters',
    query: { limit: limit(1000, 100) },
    responses: { 200: 'HeldPage' },
  },
  {
    method: 'post',
    path: `/v1/${SUB}/:id/held/release`,
    summary: 'Release held events: retry them or dead-letter them',
    tag: 'dead letters',
    body: { schema: 'ReleaseHeld', optional: true },
    responses: { 202: 'Released' },
  },
  {
    method: 'get',
    path: `/v1/${SUB}/:id/events`,
    summary: "Pull catch-up: a partition's events after an offset, through the filter, signed",
    tag: 'events',
    query: {
      partition: { type: 'integer', minimum: 0, description: 'Partition to read.', required: true },
      after: { type: 'integer', minimum: -1, description: 'Offset to read after (default -1).' },
      limit: limit(1000, 100),
    },
    responses: { 200: 'PulledEvents' },
  },
];
