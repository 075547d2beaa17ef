import { SCOPES, isScope, type Scope } from '../../../libs/auth/scopes.ts';
import { validationError } from '../../../libs/errors/FanoutError.ts';
import { rejectUnknownFields, requireObject, requireString } from './fields.ts';

export interface CreateApiKeyRequest {
  name: string;
  scopes: Scope[];
}

/** `{name, scopes}`: a label for people, and one or more of admin, produce, read. */
export function parseCreateApiKey(body: unknown): CreateApiKeyRequest {
  const obj = requireObject(body, 'body');
  rejectUnknownFields(obj, ['name', 'scopes']);
  const name = requireString(obj, 'name', 'name', 200);
  const raw = obj.scopes;
  if (!Array.isArray(raw) || raw.length === 0) {
    throw validationError('scopes', `scopes must be a non-empty array of ${SCOPES.join(', ')}`);
  }
  const scopes: Scope[] = [];
  raw.forEach((s: unknown, i) => {
    if (!isScope(s)) {
      throw validationError(`scopes[${i}]`, `scopes[${i}] must be one of ${SCOPES.join(', ')}`);
    }
    if (!scopes.includes(s)) scopes.push(s);
  });
  return { name, scopes };
}
