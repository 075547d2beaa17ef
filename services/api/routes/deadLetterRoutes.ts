import { Router } from 'express';
import {
  listDeadLetters,
  settleDeadLetters,
  type DeadLetter,
  type DeadLetterStatus,
} from '../../../libs/deadletters/deadLetterStore.ts';
import { validationError } from '../../../libs/errors/FanoutError.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { bodyView } from '../../../libs/events/bodyView.ts';
import { rejectUnknownFields, requireObject } from '../requests/fields.ts';
import { queryCount } from '../requests/queryInteger.ts';
import { mustFindSubscription } from './subscriptionRoutes.ts';

const STATUSES: DeadLetterStatus[] = [
  'dead',
  'replay_requested',
  'replaying',
  'replayed',
  'discarded',
];

function deadLetterView(d: DeadLetter): Record<string, unknown> {
  return {
    id: d.id,
    eventId: d.eventId,
    status: d.status,
    original: d.original,
    deadLetter: d.deadLetter,
    key: d.key,
    contentType: d.contentType,
    ...bodyView(d.contentType, d.body),
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

/** `{ids?: ["12", ...]}`: the dead letters to act on; all of them when absent. */
function parseIds(body: unknown): string[] | null {
  if (body === undefined) return null;
  const obj = requireObject(body, 'body');
  rejectUnknownFields(obj, ['ids']);
  if (obj.ids === undefined) return null;
  if (!Array.isArray(obj.ids) || obj.ids.length === 0 || obj.ids.length > 1000) {
    throw validationError('ids', 'ids must be an array of 1 to 1000 dead-letter ids');
  }
  return obj.ids.map((id, i) => {
    const s = typeof id === 'number' ? String(id) : id;
    if (typeof s !== 'string' || !/^\d{1,18}$/.test(s)) {
      throw validationError(`ids[${i}]`, `ids[${i}] must be a dead-letter id`);
    }
    return s;
  });
}

export function deadLetterRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.get('/v1/subscriptions/:id/dead-letters', async (req, res) => {
    const sub = await mustFindSubscription(deps, req.params.id);
    const status = (req.query.status ?? 'dead') as string;
    if (!(STATUSES as string[]).includes(status)) {
      throw validationError('status', `status must be one of ${STATUSES.join(', ')}`);
    }
    const limit = queryCount(req.query.limit, 'limit', 500, 50);
    const after = req.query.after as string | undefined;
    if (after !== undefined && !/^\d{1,18}$/.test(after)) {
      throw validationError('after', 'after must be a dead-letter id');
    }
    const page = await listDeadLetters(deps.pool, sub.id, {
      status: status as DeadLetterStatus,
      afterId: after ?? null,
      limit,
    });
    const last = page.items.at(-1);
    res.json({
      total: page.total,
      items: page.items.map(deadLetterView),
      ...(last !== undefined && page.items.length === limit ? { next: last.id } : {}),
    });
  });

  router.post('/v1/subscriptions/:id/dead-letters/replay', async (req, res) => {
    const sub = await mustFindSubscription(deps, req.params.id);
    const requested = await settleDeadLetters(
      deps.pool,
      sub.id,
      parseIds(req.body),
      'replay_requested',
    );
    deps.log.info('dead letters replay requested', { subscriptionId: sub.id, requested });
    res.status(202).json({ requested });
  });

  router.post('/v1/subscriptions/:id/dead-letters/discard', async (req, res) => {
    const sub = await mustFindSubscription(deps, req.params.id);
    const discarded = await settleDeadLetters(deps.pool, sub.id, parseIds(req.body), 'discarded');
    deps.log.info('dead letters discarded', { subscriptionId: sub.id, discarded });
    res.json({ discarded });
  });

  return router;
}
