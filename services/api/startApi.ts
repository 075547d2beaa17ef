import type { Server } from 'node:http';
import { EventProducer } from '../../libs/kafka/eventProducer.ts';
import { LagMonitor } from '../../libs/lag/lagMonitor.ts';
import { WORKER_REPORT_MS, WorkerReports } from '../../libs/lag/workerReports.ts';
import type { Runtime } from '../runtime/createRuntime.ts';
import { SchemaCodec } from '../../libs/schemas/schemaCodec.ts';
import { answerClientErrors } from './answerClientErrors.ts';
import { checkAuthMode } from './auth/authMode.ts';
import { createApp } from './createApp.ts';

export interface RunningApi {
  server: Server;
  port: number;
  stop(): Promise<void>;
}

export async function startApi(rt: Runtime): Promise<RunningApi> {
  await checkAuthMode(rt.config, rt.log, rt.pool);
  const producer = new EventProducer(rt.kafka, rt.admin, rt.config.produceTimeoutMs);
  // what bridges report about their deliveries, read to explain lag
  const reports = new WorkerReports(rt.redis, 'api', WORKER_REPORT_MS);
  const lag = new LagMonitor({
    admin: rt.admin,
    pool: rt.pool,
    metrics: rt.metrics,
    log: rt.log,
    intervalMs: rt.config.lagIntervalMs,
    windowMs: rt.config.lagWindowMs,
    workerFacts: (id) => reports.factsOf(id),
  });
  lag.start();
  const schemas =
    rt.config.schemaRegistryUrl === null ? null : new SchemaCodec(rt.config.schemaRegistryUrl);
  const app = createApp({ ...rt, producer, lag, schemas });
  const server = app.listen(rt.config.apiPort, rt.config.apiHost);
  answerClientErrors(server);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : rt.config.apiPort;
  rt.log.info('api listening', { host: rt.config.apiHost, port });
  return {
    server,
    port,
    async stop() {
      // stop accepting, let in-flight produce requests get their Kafka acknowledgement
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await lag.stop();
      await producer.close();
    },
  };
}
