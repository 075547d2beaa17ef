import type { RequestHandler, Response } from 'express';
import { bearerToken } from '../../../libs/auth/apiKeyToken.ts';
import { scopesAllow, type Scope } from '../../../libs/auth/scopes.ts';
import { FanoutError } from '../../../libs/errors/FanoutError.ts';
import type { ApiKeyAuthenticator, Principal } from './apiKeyAuthenticator.ts';
import { requiredScope } from './routeScope.ts';

const OPEN: Principal = { keyId: 'open', scopes: ['admin'] };

/**
 * Checks every request against the scope its route needs (routeScope.ts), before any route
 * runs. In open mode (loopback only, see authMode.ts) every request acts as admin.
 */
export function authenticate(
  mode: 'open' | 'keys',
  authenticator: ApiKeyAuthenticator,
): RequestHandler {
  return (req, res, next) => {
    const needed = requiredScope(req.method, req.path);
    if (needed === null) return next();
    if (mode === 'open') {
      res.locals.principal = OPEN;
      return next();
    }
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) {
      res.set('www-authenticate', 'Bearer realm="fanout"');
      return next(
        new FanoutError(
          'FANOUT_UNAUTHENTICATED',
          'an API key is required: Authorization: Bearer <key>',
          {
            field: 'authorization',
          },
        ),
      );
    }
    authenticator.principal(token).then(
      (principal) => {
        if (principal === undefined) {
          res.set('www-authenticate', 'Bearer realm="fanout", error="invalid_token"');
          return next(
            new FanoutError('FANOUT_UNAUTHENTICATED', 'the API key is unknown or revoked', {
              field: 'authorization',
            }),
          );
        }
        res.locals.principal = principal;
        if (!scopesAllow(principal.scopes, needed)) return next(forbidden(needed));
        next();
      },
      (err: unknown) =>
        next(
          new FanoutError('FANOUT_DEPENDENCY_UNAVAILABLE', 'cannot check the API key now', {
            field: 'postgres',
            cause: err,
          }),
        ),
    );
  };
}

/**
 * A second check inside routes that must never be reached by a lesser key, should the
 * central policy ever be bypassed by a path it did not foresee.
 */
export function requireScope(res: Response, needed: Scope): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (principal === undefined || !scopesAllow(principal.scopes, needed)) throw forbidden(needed);
  return principal;
}

function forbidden(needed: Scope): FanoutError {
  return new FanoutError('FANOUT_FORBIDDEN', `this API key lacks the ${needed} scope`, {
    field: 'authorization',
  });
}
