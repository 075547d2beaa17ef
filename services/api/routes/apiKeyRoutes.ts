import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import {
  findApiKey,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  type ApiKey,
} from '../../../libs/auth/apiKeyStore.ts';
import { generateToken, hashToken, tokenPrefix } from '../../../libs/auth/apiKeyToken.ts';
import { FanoutError } from '../../../libs/errors/FanoutError.ts';
import { isUuid } from '../../../libs/events/eventId.ts';
import type { ApiDeps } from '../apiDeps.ts';
import type { ApiKeyAuthenticator } from '../auth/apiKeyAuthenticator.ts';
import { requireScope } from '../auth/authenticate.ts';
import { parseCreateApiKey } from '../requests/parseCreateApiKey.ts';

function apiKeyView(k: ApiKey): Record<string, unknown> {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt === null ? null : k.revokedAt.toISOString(),
  };
}

/** API keys: created (the token shown once, in the 201), listed and revoked; admin only. */
export function apiKeyRoutes(deps: ApiDeps, authenticator: ApiKeyAuthenticator): Router {
  const router = Router();

  router.post('/v1/api-keys', async (req, res) => {
    const by = requireScope(res, 'admin');
    const request = parseCreateApiKey(req.body);
    const token = generateToken();
    const key = await insertApiKey(deps.pool, {
      id: randomUUID(),
      name: request.name,
      prefix: tokenPrefix(token),
      tokenHash: hashToken(token),
      scopes: request.scopes,
    });
    deps.log.info('api key created', { apiKeyId: key.id, scopes: key.scopes, by: by.keyId });
    res.status(201).json({ ...apiKeyView(key), key: token });
  });

  router.get('/v1/api-keys', async (_req, res) => {
    requireScope(res, 'admin');
    res.json({ apiKeys: (await listApiKeys(deps.pool)).map(apiKeyView) });
  });

  router.get('/v1/api-keys/:id', async (req, res) => {
    requireScope(res, 'admin');
    const id = parseKeyId(req.params.id);
    const key = await findApiKey(deps.pool, id);
    if (key === undefined) throw notFound(id);
    res.json(apiKeyView(key));
  });

  router.delete('/v1/api-keys/:id', async (req, res) => {
    const by = requireScope(res, 'admin');
    const id = parseKeyId(req.params.id);
    const key = await revokeApiKey(deps.pool, id);
    if (key === undefined) throw notFound(id);
    authenticator.forget(id);
    deps.log.info('api key revoked', { apiKeyId: id, by: by.keyId });
    res.status(204).end();
  });

  return router;
}

function parseKeyId(raw: string): string {
  if (!isUuid(raw)) {
    throw new FanoutError('FANOUT_VALIDATION', 'id must be an API key id (a UUID)', {
      field: 'id',
    });
  }
  return raw.toLowerCase();
}

function notFound(id: string): FanoutError {
  return new FanoutError('FANOUT_NOT_FOUND', `no API key ${id}`, { field: 'id' });
}
