import { optionalInteger, rejectUnknownFields, requireObject } from './fields.ts';
import { parseTopicName } from './topicName.ts';

export interface CreateTopicRequest {
  name: string;
  partitions: number;
}

export const DEFAULT_PARTITIONS = 3;
const MAX_PARTITIONS = 1000;

export function parseCreateTopic(body: unknown): CreateTopicRequest {
  const obj = requireObject(body, 'body');
  rejectUnknownFields(obj, ['name', 'partitions']);
  return {
    name: parseTopicName(obj.name, 'name'),
    partitions:
      optionalInteger(obj, 'partitions', 'partitions', 1, MAX_PARTITIONS) ?? DEFAULT_PARTITIONS,
  };
}
