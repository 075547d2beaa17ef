import { Router } from 'express';
import { validationError } from '../../../libs/errors/FanoutError.ts';
import { isUuid } from '../../../libs/events/eventId.ts';
import {
  listHeldEvents,
  releaseHeldEvents,
  type HeldEvent,
} from '../../../libs/holds/heldEventStore.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { optionalEnum, rejectUnknownFields, requireObject } from '../requests/fields.ts';
import { queryCount } from '../requests/queryInteger.ts';
import { mustFindSubscription } from './subscriptionRoutes.ts';

function heldView(h: HeldEvent): Record<string, unknown> {
  return {
    eventId: h.eventId,
    partition: h.partition,
    offset: h.offset,
    key: h.key,
    attempts: h.attempts,
    lastStatus: h.lastStatus,
    lastError: h.lastError,
    heldAt: h.heldAt.toISOString(),
    releasing: h.releaseAction,
  };
}

/** `{eventIds?, action?}`: which held events to release (all when absent), and how. */
function parseRelease(body: unknown): {
  eventIds: string[] | null;
  action: 'retry' | 'dead-letter';
} {
  const obj = body === undefined ? {} : requireObject(body, 'body');
  rejectUnknownFields(obj, ['eventIds', 'action']);
  const action = optionalEnum(obj, 'action', 'action', ['retry', 'dead-letter'] as const);
  if (obj.eventIds === undefined) return { eventIds: null, action: action ?? 'retry' };
  if (!Array.isArray(obj.eventIds) || obj.eventIds.length === 0 || obj.eventIds.length > 1000) {
    throw validationError('eventIds', 'eventIds must be an array of 1 to 1000 event ids');
  }
  const eventIds = obj.eventIds.map((id, i) => {
    if (typeof id !== 'string' || !isUuid(id)) {
      throw validationError(`eventIds[${i}]`, `eventIds[${i}] must be an event id (a UUID)`);
    }
    return id.toLowerCase();
  });
  return { eventIds, action: action ?? 'retry' };
}

/**
 * Events parked by `onExhausted: hold`: each keeps its key (or, in `partition` mode, its
 * partition) waiting until an operator releases it, to be tried again or dead-lettered.
 */
export function heldEventRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.get('/v1/subscriptions/:id/held', async (req, res) => {
    const sub = await mustFindSubscription(deps, req.params.id);
    const limit = queryCount(req.query.limit, 'limit', 1000, 100);
    const page = await listHeldEvents(deps.pool, sub.id, limit);
    res.json({ total: page.total, items: page.items.map(heldView) });
  });

  router.post('/v1/subscriptions/:id/held/release', async (req, res) => {
    const sub = await mustFindSubscription(deps, req.params.id);
    const request = parseRelease(req.body);
    const released = await releaseHeldEvents(deps.pool, sub.id, request.eventIds, request.action);
    deps.log.info('held events released', { subscriptionId: sub.id, released, ...request });
    res.status(202).json({ released, action: request.action });
  });

  return router;
}
