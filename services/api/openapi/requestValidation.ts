import type { ErrorObject } from 'ajv';
import type { Express, RequestHandler } from 'express';
import { validationError } from '../../../libs/errors/FanoutError.ts';
import { OPERATIONS } from './operations.ts';
import { parameterCheck } from './parameterValidation.ts';
import { fieldOf, validatorOf } from './schemaValidator.ts';

/**
 * Checks every request — path and query parameters, then the body — against the schemas the
 * OpenAPI document publishes for its route, before the route runs, so the api accepts nothing
 * the document does not describe. Where a
 * schema offers alternatives (oneOf/anyOf: filters, single or batch produce) the route's parser
 * names the precise field instead, so the first error reported is the most useful one.
 */
export function installRequestValidation(app: Express): void {
  for (const op of OPERATIONS) {
    const parameters = parameterCheck(op);
    if (parameters !== null) app[op.method](op.path, parameters);
    if (op.body === undefined) continue;
    const validate = validatorOf(op.body.schema);
    const optional = op.body.optional === true;
    const check: RequestHandler = (req, _res, next) => {
      if (req.body === undefined && optional) return next();
      if (validate(req.body ?? null)) return next();
      const error = firstToReport(validate.errors ?? []);
      if (error === undefined) return next();
      const field = fieldOf(error);
      const message =
        error.keyword === 'additionalProperties'
          ? `unknown field ${field}`
          : error.keyword === 'required'
            ? `${field} is required`
            : `${field} ${error.message ?? 'is invalid'}`;
      next(validationError(field, message));
    };
    app[op.method](op.path, check);
  }
}

/**
 * The error worth naming: an unknown field first (the likeliest mistake, and what a client
 * built against an older document sends), else the first one. Errors inside alternatives are
 * left to the route's parser.
 */
function firstToReport(errors: ErrorObject[]): ErrorObject | undefined {
  const plain = errors.filter(
    (e) =>
      e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && !/\/(oneOf|anyOf)\//.test(e.schemaPath),
  );
  return plain.find((e) => e.keyword === 'additionalProperties') ?? plain[0];
}
