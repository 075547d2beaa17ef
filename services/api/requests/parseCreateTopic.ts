import { validationError } from '../../../libs/errors/FanoutError.ts';
import {
  optionalInteger,
  rejectUnknownFields,
  requireObject,
  requireString,
  type JsonObject,
} from './fields.ts';
import { parseTopicName } from './topicName.ts';

export interface CreateTopicRequest {
  name: string;
  partitions: number;
  schemaSubject: string | null;
}

export const DEFAULT_PARTITIONS = 3;
const MAX_PARTITIONS = 1000;

export function parseCreateTopic(body: unknown): CreateTopicRequest {
  const obj = requireObject(body, 'body');
  rejectUnknownFields(obj, ['name', 'partitions', 'schemaSubject']);
  return {
    name: parseTopicName(obj.name, 'name'),
    partitions:
      optionalInteger(obj, 'partitions', 'partitions', 1, MAX_PARTITIONS) ?? DEFAULT_PARTITIONS,
    schemaSubject: parseSchemaSubject(obj),
  };
}

/** `PATCH /v1/topics/:name`: `{schemaSubject}`, a subject name or null to drop it. */
export function parseUpdateTopic(body: unknown): { schemaSubject: string | null } {
  const obj = requireObject(body, 'body');
  rejectUnknownFields(obj, ['schemaSubject']);
  if (!('schemaSubject' in obj))
    throw validationError('schemaSubject', 'schemaSubject is required');
  return { schemaSubject: parseSchemaSubject(obj) };
}

function parseSchemaSubject(obj: JsonObject): string | null {
  if (obj.schemaSubject === undefined || obj.schemaSubject === null) return null;
  return requireString(obj, 'schemaSubject', 'schemaSubject', 255);
}
