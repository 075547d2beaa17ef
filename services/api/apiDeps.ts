import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Config } from '../../libs/config/loadConfig.ts';
import type { EventProducer } from '../../libs/kafka/eventProducer.ts';
import type { TopicAdmin } from '../../libs/kafka/topicAdmin.ts';
import type { Logger } from '../../libs/log/logger.ts';

export interface ApiDeps {
  config: Config;
  log: Logger;
  pool: pg.Pool;
  redis: Redis;
  admin: TopicAdmin;
  producer: EventProducer;
}
