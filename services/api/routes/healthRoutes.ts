import { Router } from 'express';
import type { ApiDeps } from '../apiDeps.ts';
import { errorBody } from '../errorHandler.ts';

const CHECK_TIMEOUT_MS = 2000;

/** Liveness answers as long as the process serves; readiness asks every dependency. */
export function healthRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks: Record<string, () => Promise<unknown>> = {
      kafka: () => deps.admin.ping(),
      postgres: () => deps.pool.query('SELECT 1'),
      redis: () => deps.redis.ping(),
    };
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS);
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, `failed: ${(err as Error).message}`] as const;
        }
      }),
    );
    const failed = results.filter(([, r]) => r !== 'ok').map(([n]) => n);
    const body = {
      status: failed.length === 0 ? 'ready' : 'unavailable',
      checks: Object.fromEntries(results),
    };
    if (failed.length === 0) {
      res.json(body);
      return;
    }
    res.status(503).json({
      ...body,
      ...errorBody(
        'FANOUT_DEPENDENCY_UNAVAILABLE',
        `not answering: ${failed.join(', ')}`,
        failed[0],
      ),
    });
  });
  return router;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
