import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { RequestHandler } from 'express';
import { validationError } from '../../../libs/errors/FanoutError.ts';
import type { Operation } from './operations.ts';
import { PATH_PARAMS, type JsonSchema } from './requestSchemas.ts';
import { addFormats, fieldOf } from './schemaValidator.ts';

// Path and query values arrive as strings: this instance reads "3" as 3 and "true" as true,
// on a copy, so routes still see what the client sent.
const ajv = new Ajv2020({ coerceTypes: true, allErrors: true, allowUnionTypes: true });
addFormats(ajv);

/** The schema of an operation's path and query parameters, as the document lists them. */
function parametersSchema(op: Operation): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [, name] of op.path.matchAll(/:([A-Za-z0-9_]+)/g)) {
    properties[name!] = PATH_PARAMS[name!] ?? { type: 'string' };
    required.push(name!);
  }
  for (const [name, param] of Object.entries(op.query ?? {})) {
    const schema: JsonSchema = { ...param };
    delete schema.description;
    delete schema.required;
    properties[name] = schema;
    if (param.required === true) required.push(name);
  }
  // query parameters the document does not name are ignored, as HTTP caches and proxies add some
  return { type: 'object', properties, required };
}

/** A check of path and query parameters against the document; null when there are none. */
export function parameterCheck(op: Operation): RequestHandler | null {
  if (!op.path.includes(':') && op.query === undefined) return null;
  const validate: ValidateFunction = ajv.compile(parametersSchema(op));
  return (req, _res, next) => {
    const values: Record<string, unknown> = { ...req.params };
    for (const [name, value] of Object.entries(req.query)) {
      values[name] = Array.isArray(value) ? value[0] : value;
    }
    if (validate(values)) return next();
    const error = validate.errors?.[0];
    if (error === undefined) return next();
    const field = fieldOf(error);
    next(
      validationError(
        field,
        error.keyword === 'required' ? `${field} is required` : `${field} ${error.message}`,
      ),
    );
  };
}
