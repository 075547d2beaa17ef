import { Router } from 'express';
import type { Registry } from 'prom-client';

/** `GET /metrics`: the process's registry in Prometheus's text format. */
export function metricsRoute(registry: Registry): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
