import { OPERATIONS, type Operation } from '../../services/api/openapi/operations.ts';
import { validatorOf } from '../../services/api/openapi/schemaValidator.ts';

const MATCHERS: [RegExp, Operation][] = OPERATIONS.map((op) => [
  new RegExp(`^${op.path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`),
  op,
]);

/**
 * Throws unless a response is what the OpenAPI document says this operation answers: a
 * documented status, and a body valid against its schema (errors against `Error`). Paths the
 * document does not know are left alone; the route-walking test catches those.
 */
export function assertMatchesOpenApi(
  method: string,
  path: string,
  status: number,
  body: unknown,
): void {
  const bare = path.split('?')[0]!;
  const op = MATCHERS.find(([re, o]) => o.method === method.toLowerCase() && re.test(bare))?.[1];
  if (op === undefined) return;
  const documented = op.responses[status];
  if (documented === undefined && status < 400) {
    throw new Error(
      `${method} ${bare} answered ${status}, which the OpenAPI document does not list`,
    );
  }
  const schema = documented === undefined ? 'Error' : documented;
  if (schema === null) return;
  const validate = validatorOf(schema);
  if (!validate(body)) {
    throw new Error(
      `${method} ${bare} ${status}: body does not match the OpenAPI schema ${schema}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body).slice(0, 2000)}`,
    );
  }
}
