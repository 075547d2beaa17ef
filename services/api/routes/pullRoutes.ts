import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { endpointOf } from '../../../libs/delivery/endpointOf.ts';
import { signatureHeaders } from '../../../libs/delivery/postEvent.ts';
import { compileFilter } from '../../../libs/filter/eventFilter.ts';
import { readPartition } from '../../../libs/kafka/partitionReader.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { bodyView } from '../../../libs/events/bodyView.ts';
import { queryCount, queryInteger } from '../requests/queryInteger.ts';
import { mustFindSubscription } from './subscriptionRoutes.ts';

/**
 * Pull catch-up for a receiver that saw a gap in `fanout-seq` / `fanout-prev-id`: the events of
 * one partition after an offset, read straight from the Kafka log and passed through the
 * subscription's filter, signed like a delivery (Standard Webhooks, the subscription's secret).
 * Reading does not move the subscription's consumer group.
 */
export function pullRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.get('/v1/subscriptions/:id/events', async (req, res) => {
    const sub = await mustFindSubscription(deps, req.params.id);
    const partitions = (await deps.admin.partitionCount(sub.topic)) ?? 0;
    const partition = Number(
      queryInteger(req.query.partition, 'partition', 0n, BigInt(Math.max(0, partitions - 1))),
    );
    // after: the last offset the receiver has; absent: from the start of the log
    const after = queryInteger(req.query.after, 'after', -1n, 2n ** 63n - 2n, -1n);
    const limit = queryCount(req.query.limit, 'limit', 1000, 100);
    const read = await readPartition(deps.kafka, deps.admin, {
      topic: sub.topic,
      partition,
      fromOffset: String(after + 1n),
      limit,
    });
    const wanted = compileFilter(sub.filter);
    const last = read.events.at(-1);
    const body = Buffer.from(
      JSON.stringify({
        subscriptionId: sub.id,
        topic: sub.topic,
        partition,
        events: read.events.filter(wanted).map((e) => ({
          id: e.id,
          offset: e.offset,
          key: e.key,
          timestamp: new Date(e.timestampMs).toISOString(),
          contentType: e.contentType,
          ...bodyView(e.contentType, e.body),
        })),
        // ask again with after=<next> until next is null
        next:
          last !== undefined && BigInt(last.offset) + 1n < BigInt(read.endOffset)
            ? last.offset
            : null,
        endOffset: read.endOffset,
      }),
    );
    const id = `pull_${randomUUID()}`;
    res
      .status(200)
      .set({
        'content-type': 'application/json',
        'webhook-id': id,
        ...signatureHeaders(endpointOf(sub).signingKeys, id, body),
      })
      .end(body);
  });

  return router;
}
