import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { REQUEST_SCHEMAS } from './requestSchemas.ts';
import { RESPONSE_SCHEMAS } from './responseSchemas.ts';

// ajv-formats is CommonJS; depending on the loader its plugin is the module or its `default`
type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const formatsModule = addFormatsModule as unknown as FormatsPlugin | { default: FormatsPlugin };
export const addFormats =
  typeof formatsModule === 'function' ? formatsModule : formatsModule.default;

const ROOT = 'fanout:openapi';

/**
 * Validators compiled once from the document's component schemas, for request bodies (the api)
 * and response bodies (the tests). OpenAPI's `components` keyword is not JSON Schema, hence
 * `strictSchema: false`; the schemas themselves are plain 2020-12.
 */
// all errors, so the api can name an unknown field before a missing one
const ajv = new Ajv2020({ allErrors: true, strictSchema: false, allowUnionTypes: true });
addFormats(ajv);
ajv.addSchema({ $id: ROOT, components: { schemas: { ...REQUEST_SCHEMAS, ...RESPONSE_SCHEMAS } } });

const compiled = new Map<string, ValidateFunction>();

export function validatorOf(schemaName: string): ValidateFunction {
  let v = compiled.get(schemaName);
  if (v === undefined) {
    v = ajv.compile({ $ref: `${ROOT}#/components/schemas/${schemaName}` });
    compiled.set(schemaName, v);
  }
  return v;
}

/** The request field an error is about, written as the api names fields: `retry.maxAttempts`, `ids[0]`. */
export function fieldOf(error: ErrorObject): string {
  const parts = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const extra = params.missingProperty ?? params.additionalProperty;
  if (extra !== undefined) parts.push(extra);
  // a bad property name: ajv names it on the inner error, and in the params of the outer one
  const name =
    (error as { propertyName?: string }).propertyName ??
    (error.keyword === 'propertyNames'
      ? (error.params as { propertyName?: string }).propertyName
      : undefined);
  if (name !== undefined) parts.push(name);
  if (parts.length === 0) return 'body';
  return parts.reduce(
    (out, p, i) => (/^\d+$/.test(p) ? `${out}[${p}]` : i === 0 ? p : `${out}.${p}`),
    '',
  );
}
