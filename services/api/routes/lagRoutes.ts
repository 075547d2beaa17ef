import { Router } from 'express';
import { FanoutError } from '../../../libs/errors/FanoutError.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { mustFindSubscription } from './subscriptionRoutes.ts';

/**
 * Lag as the lag monitor last evaluated it: `GET /v1/subscriptions/:id/status` for one
 * subscription with per-partition detail, `GET /v1/lag` for all (with recent history for graphs
 * when `history=true`).
 */
export function lagRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.get('/v1/subscriptions/:id/status', async (req, res) => {
    const sub = await mustFindSubscription(deps, req.params.id);
    const status = await deps.lag.statusOf(sub.id);
    if (status === undefined) {
      throw new FanoutError(
        'FANOUT_KAFKA_UNAVAILABLE',
        'lag not sampled yet: Kafka did not answer',
        {},
      );
    }
    res.json(status);
  });

  router.get('/v1/lag', (req, res) => {
    const history = parseHistory(req.query.history);
    const subscriptions = deps.lag
      .all()
      .sort(
        (a, b) =>
          a.topic.localeCompare(b.topic) || a.subscriptionId.localeCompare(b.subscriptionId),
      )
      .map((s) => (history ? { ...s, history: deps.lag.historyOf(s.subscriptionId) } : s));
    res.json({ subscriptions });
  });

  return router;
}

function parseHistory(raw: unknown): boolean {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new FanoutError('FANOUT_VALIDATION', 'history must be true or false', { field: 'history' });
}
