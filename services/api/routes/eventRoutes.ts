import { Router } from 'express';
import { newEventId } from '../../../libs/events/eventId.ts';
import { CONTENT_TYPE_HEADER, EVENT_ID_HEADER } from '../../../libs/events/recordHeaders.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { parseProduce } from '../requests/parseProduce.ts';
import { parseTopicName } from '../requests/topicName.ts';

export function eventRoutes(deps: ApiDeps): Router {
  const router = Router();

  /** Answers 202 only once Kafka has acknowledged every event of the request (acks=all). */
  router.post('/v1/topics/:name/events', async (req, res) => {
    const topic = parseTopicName(req.params.name, 'name');
    const events = parseProduce(req.body, deps.config.maxBatchEvents);
    const ids = events.map(() => newEventId());
    const written = await deps.producer.send(
      topic,
      events.map((e, i) => ({
        key: e.key,
        value: e.value,
        headers: {
          ...e.headers,
          [EVENT_ID_HEADER]: ids[i]!,
          [CONTENT_TYPE_HEADER]: 'application/json',
        },
      })),
    );
    res.status(202).json({
      events: written.map((w, i) => ({ id: ids[i], partition: w.partition, offset: w.offset })),
    });
  });

  return router;
}
