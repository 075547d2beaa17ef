import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { FanoutError } from '../../../libs/errors/FanoutError.ts';
import { isUuid } from '../../../libs/events/eventId.ts';
import {
  deleteSubscription,
  findSubscription,
  insertSubscription,
  listSubscriptions,
  rotateSecret,
  setPaused,
  updateSubscription,
} from '../../../libs/registry/subscriptionStore.ts';
import {
  deadLetterTopicOf,
  groupIdOf,
  type EventFormat,
  type Subscription,
} from '../../../libs/registry/types.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { checkEndpointAllowed } from '../checkEndpointAllowed.ts';
import {
  parseCreateSubscription,
  parseRotateSecret,
  parseUpdateSubscription,
} from '../requests/parseCreateSubscription.ts';
import { retryView } from '../requests/parseRetryPolicy.ts';
import { parseSeek } from '../requests/parseSeek.ts';
import { seekSubscription } from '../seekSubscription.ts';
import { parseTopicName } from '../requests/topicName.ts';
import { resolveTopic } from '../resolveTopic.ts';

export function subscriptionView(s: Subscription): Record<string, unknown> {
  return {
    id: s.id,
    topic: s.topic,
    endpoint: s.endpoint,
    signed: s.secret !== null,
    ...(s.previousSecret === null
      ? {}
      : { previousSecretExpiresAt: s.previousSecret.expiresAt.toISOString() }),
    startFrom: s.startFrom,
    startOffsets: s.startOffsets,
    consumerGroup: groupIdOf(s.id),
    state: s.state,
    ...(s.disabledReason === null ? {} : { disabledReason: s.disabledReason }),
    retry: retryView(s.retry),
    timeoutMs: s.retry.timeoutMs,
    ordering: s.delivery.ordering,
    maxInFlight: s.delivery.maxInFlight,
    onExhausted: s.delivery.onExhausted,
    rateLimit: s.delivery.rateLimitPerSecond,
    batch: s.delivery.batch,
    filter: s.filter,
    cloudEvents: s.format.cloudEvents,
    payloadFormat: s.format.payload,
    deadLetterTopic: deadLetterTopicOf(s.id),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function subscriptionRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.post('/v1/subscriptions', async (req, res) => {
    const request = parseCreateSubscription(req.body);
    mustDecodeWithRegistry(deps, request.format);
    await checkEndpointAllowed(request.endpoint);
    const topic = await resolveTopic(deps, request.topic, 'topic');
    const id = randomUUID();
    // The start position is fixed now, in Kafka, so an event produced after this 201 is
    // delivered even if no bridge picks the subscription up for a few seconds.
    const bounds = await deps.admin.offsetBounds(topic.name);
    const startOffsets = request.startFrom === 'latest' ? bounds.high : bounds.low;
    await deps.admin.setGroupOffsets(groupIdOf(id), topic.name, startOffsets);
    const sub = await insertSubscription(deps.pool, {
      id,
      topic: topic.name,
      endpoint: request.endpoint,
      secret: request.secret,
      startFrom: request.startFrom,
      startOffsets,
      retry: request.retry,
      delivery: request.delivery,
      filter: request.filter,
      format: request.format,
    });
    deps.log.info('subscription created', { subscriptionId: id, topic: topic.name });
    // the only time the secret is shown, with rotation
    res.status(201).json({ ...subscriptionView(sub), secret: request.secret });
  });

  router.get('/v1/subscriptions', async (req, res) => {
    const topic =
      typeof req.query.topic === 'string' ? parseTopicName(req.query.topic, 'topic') : undefined;
    res.json({ subscriptions: (await listSubscriptions(deps.pool, topic)).map(subscriptionView) });
  });

  router.get('/v1/subscriptions/:id', async (req, res) => {
    res.json(subscriptionView(await mustFindSubscription(deps, req.params.id)));
  });

  router.patch('/v1/subscriptions/:id', async (req, res) => {
    const current = await mustFindSubscription(deps, req.params.id);
    const changes = parseUpdateSubscription(req.body, current);
    mustDecodeWithRegistry(deps, changes.format);
    if (changes.endpoint !== undefined) await checkEndpointAllowed(changes.endpoint);
    const updated = await updateSubscription(deps.pool, current.id, changes);
    if (!updated) throw notFound(current.id);
    deps.log.info('subscription updated', {
      subscriptionId: current.id,
      fields: Object.keys(req.body as object),
    });
    res.json(subscriptionView(updated));
  });

  router.post('/v1/subscriptions/:id/rotate-secret', async (req, res) => {
    const current = await mustFindSubscription(deps, req.params.id);
    const request = parseRotateSecret(req.body);
    const rotated = await rotateSecret(deps.pool, current.id, request.secret, request.overlapMs);
    if (!rotated) throw notFound(current.id);
    deps.log.info('subscription secret rotated', {
      subscriptionId: current.id,
      overlapMs: request.overlapMs,
    });
    res.json({ ...subscriptionView(rotated), secret: request.secret });
  });

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    router.post(`/v1/subscriptions/:id/${action}`, async (req, res) => {
      const current = await mustFindSubscription(deps, req.params.id);
      const sub = await setPaused(deps.pool, current.id, paused);
      if (!sub) throw notFound(current.id);
      deps.log.info(`subscription ${action}d`, { subscriptionId: sub.id, state: sub.state });
      res.json(subscriptionView(sub));
    });
  }

  router.post('/v1/subscriptions/:id/seek', async (req, res) => {
    const sub = await mustFindSubscription(deps, req.params.id);
    res.json(await seekSubscription(deps, sub, parseSeek(req.body)));
  });

  router.delete('/v1/subscriptions/:id', async (req, res) => {
    const id = parseId(req.params.id);
    if (!(await deleteSubscription(deps.pool, id))) throw notFound(id);
    deps.log.info('subscription deleted', { subscriptionId: id });
    res.status(204).end();
  });

  return router;
}

export async function mustFindSubscription(deps: ApiDeps, rawId: string): Promise<Subscription> {
  const id = parseId(rawId);
  const sub = await findSubscription(deps.pool, id);
  if (!sub) throw notFound(id);
  return sub;
}

/** `payloadFormat: "decoded"` needs a registry to decode with. */
function mustDecodeWithRegistry(deps: ApiDeps, format: EventFormat): void {
  if (format.payload === 'decoded' && !deps.schemas) {
    throw new FanoutError(
      'FANOUT_VALIDATION',
      'payloadFormat "decoded" needs a schema registry: set FANOUT_SCHEMA_REGISTRY_URL',
      { field: 'payloadFormat' },
    );
  }
}

function parseId(raw: string): string {
  if (!isUuid(raw)) {
    throw new FanoutError('FANOUT_VALIDATION', 'id must be a subscription id (a UUID)', {
      field: 'id',
    });
  }
  return raw.toLowerCase();
}

function notFound(id: string): FanoutError {
  return new FanoutError('FANOUT_SUBSCRIPTION_NOT_FOUND', `no subscription ${id}`, { field: 'id' });
}
