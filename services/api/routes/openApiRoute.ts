import { readFileSync } from 'node:fs';
import { Router } from 'express';
import { buildOpenApiDocument } from '../openapi/openApiDocument.ts';

const { version } = JSON.parse(
  readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
) as { version: string };

/** `GET /openapi.json`: the OpenAPI 3.1 document, built once from the schemas the api validates with. */
export function openApiRoute(): Router {
  const document = buildOpenApiDocument(version);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
