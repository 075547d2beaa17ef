import { ERROR_CODES } from '../../../libs/errors/errorCodes.ts';
import { requiredScope } from '../auth/routeScope.ts';
import { OPERATIONS, type Operation } from './operations.ts';
import { PATH_PARAMS, REQUEST_SCHEMAS } from './requestSchemas.ts';
import { RESPONSE_SCHEMAS } from './responseSchemas.ts';

/** `/v1/topics/:name` → `/v1/topics/{name}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const json = (schema: string) => ({
  'application/json': { schema: { $ref: `#/components/schemas/${schema}` } },
});

function operationObject(op: Operation): Record<string, unknown> {
  const params = [...op.path.matchAll(/:([A-Za-z0-9_]+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: PATH_PARAMS[name!] ?? { type: 'string' },
  }));
  for (const [name, schema] of Object.entries(op.query ?? {})) {
    const { description, required, ...rest } = schema;
    params.push({
      name,
      in: 'query',
      required: required === true,
      schema: rest,
      description,
    } as never);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(op.responses)) {
    responses[status] = {
      description: op.summary,
      ...(schema === null
        ? op.produces === undefined
          ? {}
          : { content: { [op.produces]: { schema: { type: 'string' } } } }
        : { content: json(schema) }),
    };
  }
  responses.default = {
    description: 'An error: `code` is one of the stable FANOUT_* codes, `field` names the input.',
    content: json('Error'),
  };
  // the same policy the api enforces, asked with a sample of the path
  const scope = requiredScope(op.method.toUpperCase(), op.path.replace(/:[A-Za-z0-9_]+/g, 'x'));
  return {
    operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+/g, '_')}`,
    summary: op.summary,
    description:
      scope === null
        ? 'Public: no API key needed.'
        : `Needs an API key with the \`${scope}\` scope.`,
    ...(scope === null ? { security: [] } : {}),
    tags: [op.tag],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(op.body === undefined
      ? {}
      : { requestBody: { required: op.body.optional !== true, content: json(op.body.schema) } }),
    responses,
  };
}

/** The OpenAPI 3.1 document of the api, built once from the schemas the api validates with. */
export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    (paths[openApiPath(op.path)] ??= {})[op.method] = operationObject(op);
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'Fanout API',
      version,
      description: `Topics, subscriptions, produce, replay and lag. Errors: ${Object.keys(ERROR_CODES).join(', ')}.`,
    },
    security: [{ apiKey: [] }],
    paths,
    components: {
      schemas: { ...REQUEST_SCHEMAS, ...RESPONSE_SCHEMAS },
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'Authorization: Bearer <key>. Scopes admin, produce, read; an api bound to loopback may run open.',
        },
      },
    },
  };
}
