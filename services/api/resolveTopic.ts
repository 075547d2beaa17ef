import { FanoutError } from '../../libs/errors/FanoutError.ts';
import { findTopic, insertTopic } from '../../libs/registry/topicStore.ts';
import type { Topic } from '../../libs/registry/types.ts';
import type { ApiDeps } from './apiDeps.ts';

/**
 * The registry's record of a topic. A topic that teams created in Kafka with their own tools is
 * recorded on first use, so it can be subscribed to like one created through the API.
 */
export async function resolveTopic(deps: ApiDeps, name: string, field: string): Promise<Topic> {
  const known = await findTopic(deps.pool, name);
  if (known) return known;
  const partitions = await deps.admin.partitionCount(name);
  if (partitions === undefined) {
    throw new FanoutError('FANOUT_TOPIC_NOT_FOUND', `topic ${name} does not exist`, { field });
  }
  return insertTopic(deps.pool, name, partitions);
}
