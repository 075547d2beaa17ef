import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ERROR_CODES, type ErrorCode } from '../../libs/errors/errorCodes.ts';
import { FanoutError } from '../../libs/errors/FanoutError.ts';
import type { Logger } from '../../libs/log/logger.ts';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; retriable: boolean };
}

export function errorBody(code: ErrorCode, message: string, field?: string): ErrorBody {
  return {
    error: {
      code,
      message,
      ...(field === undefined ? {} : { field }),
      retriable: ERROR_CODES[code].retriable,
    },
  };
}

/** Maps every error to `{error: {code, message, field}}` with its status: the one place that does. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const fanout = toFanoutError(err);
    if (fanout.status >= 500) {
      log.error('request failed', { method: req.method, path: req.path, err, cause: fanout.cause });
    }
    res.status(fanout.status).json(errorBody(fanout.code, fanout.message, fanout.field));
  };
}

export const notFound: RequestHandler = (req, res) => {
  res
    .status(404)
    .json(errorBody('FANOUT_NOT_FOUND', `no route for ${req.method} ${req.path}`, 'path'));
};

function toFanoutError(err: unknown): FanoutError {
  if (err instanceof FanoutError) return err;
  // body-parser marks its errors with a type
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') {
    return new FanoutError('FANOUT_PAYLOAD_TOO_LARGE', 'request body is larger than allowed', {
      field: 'body',
    });
  }
  if (type === 'entity.parse.failed') {
    return new FanoutError('FANOUT_MALFORMED_JSON', 'request body is not valid JSON', {
      field: 'body',
    });
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new FanoutError('FANOUT_UNSUPPORTED_MEDIA_TYPE', 'unsupported body encoding', {
      field: 'body',
    });
  }
  // from jsonBodyChecks: bytes that are not UTF-8, or nesting too deep to walk safely
  if (type === 'fanout.utf8' || type === 'fanout.depth') {
    return new FanoutError('FANOUT_MALFORMED_JSON', (err as Error).message, { field: 'body' });
  }
  // the router could not percent-decode a path parameter (a lone %, bytes that are not UTF-8)
  if (err instanceof URIError) {
    return new FanoutError('FANOUT_VALIDATION', 'the path holds a malformed %-escape', {
      field: 'path',
    });
  }
  // any other client error express or body-parser raised (aborted or inconsistent bodies)
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new FanoutError('FANOUT_VALIDATION', 'the request could not be read', {
      field: 'body',
      cause: err,
    });
  }
  return new FanoutError('FANOUT_INTERNAL', 'internal error', { cause: err });
}
