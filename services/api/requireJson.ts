import type { RequestHandler } from 'express';
import { FanoutError } from '../../libs/errors/FanoutError.ts';

/** Requests with a body must say it is JSON; anything else gets 415 rather than a confusing 400. */
export const requireJson: RequestHandler = (req, _res, next) => {
  if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
    if (!req.is('application/json')) {
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
