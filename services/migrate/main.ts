import { loadConfig } from '../../libs/config/loadConfig.ts';
import { createPool } from '../../libs/db/createPool.ts';
import { ensureDatabase } from '../../libs/db/ensureDatabase.ts';
import { migrate } from '../../libs/db/migrate.ts';
import { createLogger } from '../../libs/log/logger.ts';

const config = loadConfig();
const log = createLogger(config.logLevel, { service: 'migrate' });
await ensureDatabase(config.databaseUrl);
const pool = createPool(config.databaseUrl, log, 1);
try {
  const applied = await migrate(pool);
  log.info('database migrated', { applied });
} finally {
  await pool.end();
}
