import { validationError } from '../../../libs/errors/FanoutError.ts';

// Kafka's own rule for topic names, minus the prefixes Kafka and Fanout keep for themselves.
const LEGAL = /^[a-zA-Z0-9._-]{1,249}$/;

export function parseTopicName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw validationError(field, `${field} must be a non-empty string`);
  }
  if (!LEGAL.test(value) || value === '.' || value === '..') {
    throw validationError(
      field,
      `${field} may hold only letters, digits, '.', '_' and '-', at most 249 characters`,
    );
  }
  if (value.startsWith('__') || value.startsWith('fanout.')) {
    throw validationError(field, `${field} must not start with "__" or "fanout." (reserved)`);
  }
  return value;
}
