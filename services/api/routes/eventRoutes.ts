import { Router } from 'express';
import { newEventId } from '../../../libs/events/eventId.ts';
import { CONTENT_TYPE_HEADER, EVENT_ID_HEADER } from '../../../libs/events/recordHeaders.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { parseProduce, type ProducedEvent } from '../requests/parseProduce.ts';
import { parseTopicName } from '../requests/topicName.ts';
import type { SchemaCodec } from '../../../libs/schemas/schemaCodec.ts';
import type { TopicSchemaSubjects } from '../topicSchemaSubjects.ts';

/** What a record in the schema registry's wire format is labelled as (it is not JSON). */
export const WIRE_FORMAT_CONTENT_TYPE = 'application/octet-stream';

export function eventRoutes(deps: ApiDeps, subjects: TopicSchemaSubjects): Router {
  const router = Router();

  /** Answers 202 only once Kafka has acknowledged every event of the request (acks=all). */
  router.post('/v1/topics/:name/events', async (req, res) => {
    const topic = parseTopicName(req.params.name, 'name');
    const events = parseProduce(req.body, deps.config.maxBatchEvents);
    const ids = events.map((e) => e.id ?? newEventId());
    const subject = deps.schemas ? await subjects.of(topic) : null;
    const encoded =
      subject === null || !deps.schemas
        ? null
        : await encodeAll(deps.schemas, subject, events, 'events' in (req.body as object));
    const written = await deps.producer.send(
      topic,
      events.map((e, i) => ({
        key: e.key,
        value: encoded?.[i] ?? e.value,
        headers: {
          ...e.headers,
          [EVENT_ID_HEADER]: ids[i]!,
          [CONTENT_TYPE_HEADER]: encoded === null ? 'application/json' : WIRE_FORMAT_CONTENT_TYPE,
        },
      })),
    );
    res.status(202).json({
      events: written.map((w, i) => ({ id: ids[i], partition: w.partition, offset: w.offset })),
    });
  });

  return router;
}

/**
 * Every payload validated and encoded with the subject's latest schema before anything is
 * written, so one bad event rejects the whole request (naming it) and nothing half-lands.
 */
async function encodeAll(
  schemas: SchemaCodec,
  subject: string,
  events: ProducedEvent[],
  batch: boolean,
): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const [i, e] of events.entries()) {
    out.push(await schemas.encode(subject, e.payload, batch ? `events[${i}].payload` : 'payload'));
  }
  return out;
}
