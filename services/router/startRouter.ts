import { DeadLetterTopics } from '../../libs/deadletters/deadLetterTopics.ts';
import { createAlertSender } from '../../libs/alerts/alertSender.ts';
import { DeliveredMarks } from '../../libs/dedupe/deliveredMarks.ts';
import { countDedupeFallbacks } from '../../libs/metrics/dedupeFallbacks.ts';
import { EventProducer } from '../../libs/kafka/eventProducer.ts';
import { registerRouterMetrics } from '../../libs/metrics/routerMetrics.ts';
import type { Runtime } from '../runtime/createRuntime.ts';
import { DeliveryWorker } from './deliveryWorker.ts';
import { RouterDispatcher } from './routerDispatcher.ts';
import { RoutingController } from './routingController.ts';
import { RowSweeper } from './rowSweeper.ts';

export interface RunningRouter {
  readonly controller: RoutingController;
  readonly worker: DeliveryWorker;
  stop(): Promise<void>;
}

/**
 * Write fan-out in one process: the routing decision and switches, the dispatcher that turns
 * events into delivery rows, a delivery worker, and the sweeper. Any number of router processes
 * may run: the dispatcher shares partitions through its consumer group, workers share rows
 * through row locks, and one process at a time (an advisory lock) drives the switches.
 */
export async function startRouter(rt: Runtime): Promise<RunningRouter> {
  const marks = new DeliveredMarks(
    rt.redis,
    rt.config.dedupeTtlSeconds,
    rt.log,
    countDedupeFallbacks(rt.metrics),
  );
  // for dead letters
  const producer = new EventProducer(rt.kafka, rt.admin, rt.config.produceTimeoutMs);
  const controller = new RoutingController(rt);
  const worker = new DeliveryWorker({
    pool: rt.pool,
    marks,
    producer,
    deadLetterTopics: new DeadLetterTopics(rt.admin),
    alert: createAlertSender(rt.config.alertWebhookUrl, rt.log),
    config: rt.config,
    log: rt.log,
    metrics: rt.metrics,
  });
  const dispatcher = new RouterDispatcher({ ...rt, onRows: () => worker.rowsMayBeDue() });
  registerRouterMetrics(rt.metrics.registry, rt.pool);
  const sweeper = new RowSweeper(rt.pool, rt.config, rt.log);
  await dispatcher.start();
  worker.start();
  sweeper.start();
  controller.start();
  rt.log.info('router started', { owner: worker.owner });
  return {
    controller,
    worker,
    async stop() {
      await controller.stop();
      await dispatcher.stop();
      await worker.stop();
      await sweeper.stop();
      await producer.close();
    },
  };
}
