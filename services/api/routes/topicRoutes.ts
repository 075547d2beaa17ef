import { Router } from 'express';
import { FanoutError, validationError } from '../../../libs/errors/FanoutError.ts';
import { pendingLag } from '../../../libs/deliveries/pendingLag.ts';
import {
  insertTopic,
  listTopics,
  setTopicSchemaSubject,
} from '../../../libs/registry/topicStore.ts';
import type { Topic } from '../../../libs/registry/types.ts';
import { findRoute, pinRoute, type TopicRoute } from '../../../libs/routing/topicRouteStore.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { parseCreateTopic, parseUpdateTopic } from '../requests/parseCreateTopic.ts';
import { parseRoutingPin } from '../requests/parseRoutingPin.ts';
import type { TopicSchemaSubjects } from '../topicSchemaSubjects.ts';
import { parseTopicName } from '../requests/topicName.ts';
import { resolveTopic } from '../resolveTopic.ts';

export function topicView(t: Topic): Record<string, unknown> {
  return {
    name: t.name,
    partitions: t.partitions,
    schemaSubject: t.schemaSubject,
    createdAt: t.createdAt.toISOString(),
  };
}

/** How a topic is delivered: the mode, the switch under way if any, and why. */
export function routingView(r: TopicRoute): Record<string, unknown> {
  return {
    // the mode delivering now: a switch completes before the other mode starts
    mode: r.state === 'write' || r.state === 'to_read' ? 'write' : 'read',
    state: r.state,
    pinned: r.pinned,
    reason: r.reason,
    activeSubscriptions: r.activeSubscriptions,
    eventsPerSecond: r.eventsPerSecond,
    ...(r.switchOffsets === null ? {} : { switchOffsets: r.switchOffsets }),
    since: r.stateSince.toISOString(),
  };
}

export function topicRoutes(deps: ApiDeps, subjects: TopicSchemaSubjects): Router {
  const router = Router();

  router.post('/v1/topics', async (req, res) => {
    const request = parseCreateTopic(req.body);
    if (request.schemaSubject !== null) await mustKnowSubject(deps, request.schemaSubject);
    const created = await deps.admin.createTopic(request.name, request.partitions);
    if (!created) {
      // keep the registry in step with Kafka even when the topic was made elsewhere
      await resolveTopic(deps, request.name, 'name');
      throw new FanoutError('FANOUT_TOPIC_EXISTS', `topic ${request.name} already exists`, {
        field: 'name',
      });
    }
    const topic = await insertTopic(
      deps.pool,
      request.name,
      request.partitions,
      request.schemaSubject,
    );
    subjects.forget(topic.name);
    res.status(201).json(topicView(topic));
  });

  router.get('/v1/topics', async (_req, res) => {
    res.json({ topics: (await listTopics(deps.pool)).map(topicView) });
  });

  router.get('/v1/topics/:name', async (req, res) => {
    const name = parseTopicName(req.params.name, 'name');
    const topic = await resolveTopic(deps, name, 'name');
    const route = await findRoute(deps.pool, topic.name);
    // write fan-out's lag: rows not delivered yet, per subscription
    const pending = await pendingLag(deps.pool, topic.name);
    res.json({ ...topicView(topic), routing: { ...routingView(route), pending } });
  });

  // an operator pins the topic to a mode ('auto' unpins); the router applies it within a tick
  router.put('/v1/topics/:name/routing', async (req, res) => {
    const name = parseTopicName(req.params.name, 'name');
    const pinned = parseRoutingPin(req.body);
    const topic = await resolveTopic(deps, name, 'name');
    await pinRoute(deps.pool, topic.name, pinned);
    res.json(routingView(await findRoute(deps.pool, topic.name)));
  });

  router.patch('/v1/topics/:name', async (req, res) => {
    const name = parseTopicName(req.params.name, 'name');
    const { schemaSubject } = parseUpdateTopic(req.body);
    if (schemaSubject !== null) await mustKnowSubject(deps, schemaSubject);
    await resolveTopic(deps, name, 'name');
    const topic = await setTopicSchemaSubject(deps.pool, name, schemaSubject);
    if (!topic) throw new FanoutError('FANOUT_TOPIC_NOT_FOUND', `topic ${name} does not exist`);
    subjects.forget(name);
    deps.log.info('topic schema subject set', { topic: name, schemaSubject });
    res.json(topicView(topic));
  });

  return router;
}

/** A subject can be declared only with a registry configured, and only once it holds a schema. */
async function mustKnowSubject(deps: ApiDeps, subject: string): Promise<void> {
  if (!deps.schemas) {
    throw validationError(
      'schemaSubject',
      'schemaSubject needs a schema registry: set FANOUT_SCHEMA_REGISTRY_URL',
    );
  }
  await deps.schemas.latestId(subject);
}
