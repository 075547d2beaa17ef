import { Router } from 'express';
import { checkDependencies } from '../../runtime/dependencyChecks.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { errorBody } from '../errorHandler.ts';

/** Liveness answers as long as the process serves; readiness asks every dependency. */
export function healthRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await checkDependencies(deps);
    const body = { status: report.ready ? 'ready' : 'unavailable', checks: report.checks };
    if (report.ready) {
      res.json(body);
      return;
    }
    res.status(503).json({
      ...body,
      ...errorBody(
        'FANOUT_DEPENDENCY_UNAVAILABLE',
        `not answering: ${report.failed.join(', ')}`,
        report.failed[0],
      ),
    });
  });
  return router;
}
