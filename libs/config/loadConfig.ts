import { FanoutError } from '../errors/FanoutError.ts';
import { SETTINGS, type Settings } from './settings.ts';

export type Config = { readonly [K in keyof Settings]: ReturnType<Settings[K]['parse']> };

/**
 * Reads and validates every setting once, at start-up. All problems are reported together,
 * each naming its variable, so a misconfigured deployment fails fast with one clear message.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS)) {
    const raw = env[setting.env] ?? setting.default;
    try {
      out[key] = setting.parse(raw);
    } catch (err) {
      problems.push(`${setting.env} ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new FanoutError(
      'FANOUT_CONFIG_INVALID',
      `invalid configuration: ${problems.join('; ')}`,
      {
        field: problems[0]?.split(' ')[0],
      },
    );
  }
  return out as Config;
}
