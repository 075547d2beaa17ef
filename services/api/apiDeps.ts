import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Config } from '../../libs/config/loadConfig.ts';
import type { EventProducer } from '../../libs/kafka/eventProducer.ts';
import type { TopicAdmin } from '../../libs/kafka/topicAdmin.ts';
import type { Logger } from '../../libs/log/logger.ts';
import type { LagMonitor } from '../../libs/lag/lagMonitor.ts';
import type { FanoutMetrics } from '../../libs/metrics/fanoutMetrics.ts';
import type { SchemaCodec } from '../../libs/schemas/schemaCodec.ts';

export interface ApiDeps {
  config: Config;
  log: Logger;
  pool: pg.Pool;
  redis: Redis;
  kafka: Kafka;
  admin: TopicAdmin;
  producer: EventProducer;
  metrics: FanoutMetrics;
  lag: LagMonitor;
  /** The schema registry, when FANOUT_SCHEMA_REGISTRY_URL names one. */
  schemas?: SchemaCodec | null;
}
