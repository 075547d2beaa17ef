import { validationError } from '../../../libs/errors/FanoutError.ts';

/** Small readers for JSON request bodies: each error names the exact field that is wrong. */
export type JsonObject = Record<string, unknown>;

export function requireObject(value: unknown, field: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationError(field, `${field} must be a JSON object`);
  }
  return value as JsonObject;
}

/**
 * A field allowed here must also be in the body's JSON Schema (services/api/openapi/
 * requestSchemas.ts): the api checks bodies against those first, and the OpenAPI document
 * publishes them, so a field missing there is refused before a parser sees it.
 */
export function rejectUnknownFields(obj: JsonObject, allowed: string[], prefix = ''): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw validationError(
        prefix + key,
        `unknown field ${prefix + key}; allowed: ${allowed.join(', ')}`,
      );
    }
  }
}

export function requireString(
  obj: JsonObject,
  key: string,
  field: string,
  maxLength: number,
): string {
  const value = obj[key];
  if (value === undefined || value === null) throw validationError(field, `${field} is required`);
  if (typeof value !== 'string') throw validationError(field, `${field} must be a string`);
  if (value.length === 0) throw validationError(field, `${field} must not be empty`);
  if (value.length > maxLength) {
    throw validationError(field, `${field} must be at most ${maxLength} characters`);
  }
  return value;
}

export function optionalString(
  obj: JsonObject,
  key: string,
  field: string,
  maxLength: number,
): string | undefined {
  if (obj[key] === undefined || obj[key] === null) return undefined;
  return requireString(obj, key, field, maxLength);
}

export function optionalInteger(
  obj: JsonObject,
  key: string,
  field: string,
  min: number,
  max: number,
): number | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw validationError(field, `${field} must be an integer`);
  }
  if (value < min || value > max) {
    throw validationError(field, `${field} must be between ${min} and ${max}`);
  }
  return value;
}

export function optionalEnum<T extends string>(
  obj: JsonObject,
  key: string,
  field: string,
  allowed: readonly T[],
): T | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw validationError(field, `${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}
