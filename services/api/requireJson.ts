import type { RequestHandler } from 'express';
import { FanoutError } from '../../libs/errors/FanoutError.ts';

/**
 * Requests with a body must say it is JSON; anything else gets 415 rather than a confusing 400.
 * A bare POST such as .../pause carries no body (no content-length, or 0) and needs no type.
 */
export const requireJson: RequestHandler = (req, _res, next) => {
  if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
    const empty = req.headers['content-length'] === '0';
    if (!empty && req.is('application/json') === false) {
      next(
        new FanoutError('FANOUT_UNSUPPORTED_MEDIA_TYPE', 'content-type must be application/json', {
          field: 'content-type',
        }),
      );
      return;
    }
  }
  next();
};
