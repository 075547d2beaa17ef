import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { loadConfig, type Config } from '../../libs/config/loadConfig.ts';
import { createPool } from '../../libs/db/createPool.ts';
import { ensureDatabase } from '../../libs/db/ensureDatabase.ts';
import { migrate } from '../../libs/db/migrate.ts';
import { createKafka } from '../../libs/kafka/createKafka.ts';
import { kafkaSecurityOptions } from '../../libs/kafka/kafkaSecurity.ts';
import { EndpointTransport, useEndpointTransport } from '../../libs/net/endpointTransport.ts';
import { TopicAdmin } from '../../libs/kafka/topicAdmin.ts';
import { createLogger, type Logger } from '../../libs/log/logger.ts';
import { createMetrics, type FanoutMetrics } from '../../libs/metrics/fanoutMetrics.ts';
import { createRedis, redisReady } from '../../libs/redis/createRedis.ts';
import { routeProcessWarnings } from './routeProcessWarnings.ts';

/** The connections every Fanout process shares, opened once and closed once. */
export interface Runtime {
  config: Config;
  log: Logger;
  pool: pg.Pool;
  redis: Redis;
  kafka: Kafka;
  admin: TopicAdmin;
  /** This process's metrics, served on `GET /metrics`. */
  metrics: FanoutMetrics;
  close(): Promise<void>;
}

export async function createRuntime(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Runtime> {
  const config = loadConfig(env);
  const log = createLogger(config.logLevel, { service, pid: process.pid });
  routeProcessWarnings(log);
  const kafkaSecurity = kafkaSecurityOptions(config);
  useEndpointTransport(
    new EndpointTransport({
      allow: config.endpointAllowedNetworks,
      extraCa: config.endpointCaFile,
      maxResponseBytes: config.endpointMaxResponseBytes,
    }),
  );
  if (config.endpointAllowedNetworks.length > 0) {
    log.warn('webhook endpoints may be in these non-public networks', {
      allowedNetworks: config.endpointAllowedNetworks,
    });
  }
  await ensureDatabase(config.databaseUrl);
  const pool = createPool(config.databaseUrl, log);
  const applied = await migrate(pool);
  if (applied.length > 0) log.info('migrations applied', { applied });
  const redis = createRedis(config.redisUrl, log);
  if (!(await redisReady(redis))) log.warn('redis not ready yet; dedupe falls back until it is');
  const kafka = createKafka(
    config.kafkaBrokers,
    `${config.kafkaClientId}-${service}`,
    log,
    kafkaSecurity,
  );
  const admin = new TopicAdmin(kafka);
  return {
    config,
    log,
    pool,
    redis,
    kafka,
    admin,
    metrics: createMetrics(service),
    async close() {
      await Promise.allSettled([admin.close(), pool.end(), redis.quit()]);
    },
  };
}
