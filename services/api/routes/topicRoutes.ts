import { Router } from 'express';
import { FanoutError } from '../../../libs/errors/FanoutError.ts';
import { insertTopic, listTopics } from '../../../libs/registry/topicStore.ts';
import type { Topic } from '../../../libs/registry/types.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { parseCreateTopic } from '../requests/parseCreateTopic.ts';
import { parseTopicName } from '../requests/topicName.ts';
import { resolveTopic } from '../resolveTopic.ts';

export function topicView(t: Topic): Record<string, unknown> {
  return { name: t.name, partitions: t.partitions, createdAt: t.createdAt.toISOString() };
}

export function topicRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.post('/v1/topics', async (req, res) => {
    const request = parseCreateTopic(req.body);
    const created = await deps.admin.createTopic(request.name, request.partitions);
    if (!created) {
      // keep the registry in step with Kafka even when the topic was made elsewhere
      await resolveTopic(deps, request.name, 'name');
      throw new FanoutError('FANOUT_TOPIC_EXISTS', `topic ${request.name} already exists`, {
        field: 'name',
      });
    }
    const topic = await insertTopic(deps.pool, request.name, request.partitions);
    res.status(201).json(topicView(topic));
  });

  router.get('/v1/topics', async (_req, res) => {
    res.json({ topics: (await listTopics(deps.pool)).map(topicView) });
  });

  router.get('/v1/topics/:name', async (req, res) => {
    const name = parseTopicName(req.params.name, 'name');
    res.json(topicView(await resolveTopic(deps, name, 'name')));
  });

  return router;
}
