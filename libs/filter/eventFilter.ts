import { validationError } from '../errors/FanoutError.ts';
import { headerString, type FanoutEvent } from '../events/fanoutEvent.ts';

/**
 * A subscription's filter: which events it wants. JSON, small on purpose:
 *   condition := {"field": PATH, "eq": value} | {"field": PATH, "prefix": "text"}
 *              | {"field": PATH, "in": [values]} | {"field": PATH, "exists": true|false}
 *              | {"and": [condition, ...]} | {"or": [condition, ...]}
 *   PATH      := "key" | "headers.<name>" | "payload.<top-level field>"
 * Header values and keys are strings; payload fields compare as JSON values.
 */
export type Filter =
  | { field: string; eq: Scalar }
  | { field: string; prefix: string }
  | { field: string; in: Scalar[] }
  | { field: string; exists: boolean }
  | { and: Filter[] }
  | { or: Filter[] };

type Scalar = string | number | boolean | null;

const MAX_DEPTH = 5;
const MAX_CONDITIONS = 32;
const PATH = /^(key|headers\.[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}|payload\.[^.\s]{1,128})$/;

/** Checks a filter from a request; errors name the exact spot, e.g. `filter.and[1].in`. */
export function parseFilter(value: unknown, field = 'filter'): Filter {
  let conditions = 0;
  const walk = (v: unknown, at: string, depth: number): Filter => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw validationError(at, `${at} must be an object`);
    }
    if (depth > MAX_DEPTH)
      throw validationError(at, `${at}: filters nest at most ${MAX_DEPTH} deep`);
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    for (const combinator of ['and', 'or'] as const) {
      if (combinator in o) {
        if (keys.length !== 1) throw validationError(at, `${at} must hold only "${combinator}"`);
        const list = o[combinator];
        if (!Array.isArray(list) || list.length === 0) {
          throw validationError(
            `${at}.${combinator}`,
            `${at}.${combinator} must be a non-empty array`,
          );
        }
        const items = list.map((c, i) => walk(c, `${at}.${combinator}[${i}]`, depth + 1));
        return combinator === 'and' ? { and: items } : { or: items };
      }
    }
    if (++conditions > MAX_CONDITIONS) {
      throw validationError(at, `a filter holds at most ${MAX_CONDITIONS} conditions`);
    }
    if (typeof o.field !== 'string' || !PATH.test(o.field)) {
      throw validationError(
        `${at}.field`,
        `${at}.field must be "key", "headers.<name>" or "payload.<field>"`,
      );
    }
    const ops = keys.filter((k) => k !== 'field');
    if (ops.length !== 1) {
      throw validationError(at, `${at} needs exactly one of eq, prefix, in, exists`);
    }
    const op = ops[0]!;
    const arg = o[op];
    const path = o.field;
    switch (op) {
      case 'eq':
        if (!isScalar(arg))
          throw validationError(`${at}.eq`, `${at}.eq must be a string, number, boolean or null`);
        return { field: path, eq: arg };
      case 'prefix':
        if (typeof arg !== 'string')
          throw validationError(`${at}.prefix`, `${at}.prefix must be a string`);
        return { field: path, prefix: arg };
      case 'in':
        if (!Array.isArray(arg) || arg.length === 0 || arg.length > 100 || !arg.every(isScalar)) {
          throw validationError(`${at}.in`, `${at}.in must be an array of 1 to 100 scalars`);
        }
        return { field: path, in: arg };
      case 'exists':
        if (typeof arg !== 'boolean')
          throw validationError(`${at}.exists`, `${at}.exists must be true or false`);
        return { field: path, exists: arg };
      default:
        throw validationError(
          `${at}.${op}`,
          `${at}.${op} is not an operator (eq, prefix, in, exists)`,
        );
    }
  };
  return walk(value, field, 1);
}

function isScalar(v: unknown): v is Scalar {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

const ABSENT = Symbol('absent');

/** Builds the matcher once per subscription; the payload is parsed only if a condition needs it. */
export function compileFilter(filter: Filter | null): (event: FanoutEvent) => boolean {
  if (filter === null) return () => true;
  const needsPayload = JSON.stringify(filter).includes('"payload.');
  return (event) => {
    let payload: unknown = ABSENT;
    if (needsPayload) {
      try {
        payload = JSON.parse(event.body.toString('utf8'));
      } catch {
        payload = ABSENT; // not JSON: payload fields are absent
      }
    }
    const lookup = (path: string): unknown => {
      if (path === 'key') return event.key ?? ABSENT;
      if (path.startsWith('headers.')) {
        const name = path.slice('headers.'.length);
        // the produce API stores header names in lower case; other producers may not
        return (
          headerString(event.headers, name) ??
          headerString(event.headers, name.toLowerCase()) ??
          ABSENT
        );
      }
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return ABSENT;
      const name = path.slice('payload.'.length);
      return Object.hasOwn(payload, name) ? (payload as Record<string, unknown>)[name] : ABSENT;
    };
    const test = (f: Filter): boolean => {
      if ('and' in f) return f.and.every(test);
      if ('or' in f) return f.or.some(test);
      const v = lookup(f.field);
      if ('exists' in f) return (v !== ABSENT) === f.exists;
      if ('eq' in f) return v === f.eq;
      if ('prefix' in f) return typeof v === 'string' && v.startsWith(f.prefix);
      return f.in.includes(v as Scalar);
    };
    return test(filter);
  };
}
