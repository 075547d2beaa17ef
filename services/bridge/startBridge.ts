import { DeadLetterTopics } from '../../libs/deadletters/deadLetterTopics.ts';
import { createAlertSender } from '../../libs/alerts/alertSender.ts';
import { DeliveredMarks } from '../../libs/dedupe/deliveredMarks.ts';
import { countDedupeFallbacks } from '../../libs/metrics/dedupeFallbacks.ts';
import { SchemaCodec } from '../../libs/schemas/schemaCodec.ts';
import { EventProducer } from '../../libs/kafka/eventProducer.ts';
import { WORKER_REPORT_MS, WorkerReports } from '../../libs/lag/workerReports.ts';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Runtime } from '../runtime/createRuntime.ts';
import { BridgeSupervisor } from './bridgeSupervisor.ts';
import { DeadLetterReplayer } from './deadLetterReplayer.ts';

export interface RunningBridge {
  readonly workerCount: number;
  stop(): Promise<void>;
}

// The lanes never wait on a dedupe mark (only commits do), so marks may gather a little.
const MARK_GATHER_MS = 2;

export async function startBridge(rt: Runtime): Promise<RunningBridge> {
  const marks = new DeliveredMarks(
    rt.redis,
    rt.config.dedupeTtlSeconds,
    rt.log,
    countDedupeFallbacks(rt.metrics),
    MARK_GATHER_MS,
  );
  // one producer for every subscription's dead letters
  const producer = new EventProducer(rt.kafka, rt.admin, rt.config.produceTimeoutMs);
  const schemas =
    rt.config.schemaRegistryUrl === null ? null : new SchemaCodec(rt.config.schemaRegistryUrl);
  const supervisor = new BridgeSupervisor({
    schemas,
    alert: createAlertSender(rt.config.alertWebhookUrl, rt.log),
    kafka: rt.kafka,
    admin: rt.admin,
    producer,
    deadLetterTopics: new DeadLetterTopics(rt.admin),
    pool: rt.pool,
    marks,
    config: rt.config,
    log: rt.log,
    metrics: rt.metrics,
    // one field per bridge process in each subscription's report
    reports: new WorkerReports(
      rt.redis,
      `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
      WORKER_REPORT_MS,
    ),
  });
  await supervisor.start();
  const replayer = new DeadLetterReplayer(rt.pool, marks, rt.log, schemas);
  replayer.start();
  rt.log.info('bridge started', { workers: supervisor.workerCount });
  return {
    get workerCount() {
      return supervisor.workerCount;
    },
    async stop() {
      await replayer.stop();
      await supervisor.stop();
      await producer.close();
    },
  };
}
