import type pg from 'pg';
import { countActiveAdminKeys } from '../../../libs/auth/apiKeyStore.ts';
import type { Config } from '../../../libs/config/loadConfig.ts';
import { FanoutError } from '../../../libs/errors/FanoutError.ts';
import type { Logger } from '../../../libs/log/logger.ts';
import { isLoopbackHost } from '../../../libs/net/addressPolicy.ts';

/**
 * Refuses a start that would leave the API unprotected: open mode on anything but loopback,
 * or key mode with no way to hold an admin key. Open mode on loopback is allowed for a local
 * stack, and said loudly.
 */
export async function checkAuthMode(config: Config, log: Logger, pool: pg.Pool): Promise<void> {
  if (config.apiAuth === 'open') {
    if (!isLoopbackHost(config.apiHost)) {
      throw new FanoutError(
        'FANOUT_CONFIG_INVALID',
        `FANOUT_API_AUTH=open is refused on ${config.apiHost}: an open API may bind only to loopback. Set FANOUT_API_AUTH=keys and FANOUT_BOOTSTRAP_API_KEY.`,
        { field: 'FANOUT_API_AUTH' },
      );
    }
    log.warn(
      'API IS OPEN: no authentication, every request acts as admin. Allowed because it listens on loopback only; set FANOUT_API_AUTH=keys for anything else.',
      { apiAuth: 'open', host: config.apiHost },
    );
    return;
  }
  if (config.bootstrapApiKey === null && (await countActiveAdminKeys(pool)) === 0) {
    throw new FanoutError(
      'FANOUT_CONFIG_INVALID',
      'FANOUT_API_AUTH=keys but no admin key exists: set FANOUT_BOOTSTRAP_API_KEY for the first start',
      { field: 'FANOUT_BOOTSTRAP_API_KEY' },
    );
  }
  log.info('api requires API keys', {
    apiAuth: 'keys',
    bootstrapKey: config.bootstrapApiKey === null ? 'absent' : 'configured',
  });
}
