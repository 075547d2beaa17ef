import { freePort } from './freePort.ts';
import { scrape, sumOf, type Sample } from './promText.ts';
import { ServiceProcess } from './serviceProcess.ts';
import { waitForValue } from './waitFor.ts';

/**
 * A Fanout service process whose Redis is a loopback port nobody listens on (every command
 * fails at once), with its health server on a port of its own: `base` serves its /metrics.
 */
export async function startServiceWithoutRedis(
  service: 'bridge' | 'router',
  env: NodeJS.ProcessEnv = {},
): Promise<{ process: ServiceProcess; base: string }> {
  const healthPort = await freePort();
  const child = new ServiceProcess(service, {
    ...env,
    FANOUT_REDIS_URL: `redis://127.0.0.1:${await freePort()}/0`,
    FANOUT_HEALTH_PORT: String(healthPort),
  });
  await child.start('health listening');
  return { process: child, base: `http://127.0.0.1:${healthPort}` };
}

/**
 * The service's metrics once it has given up at least `count` dedupe marks of the
 * subscription: marks gather for a moment after each answer, so they are counted a little
 * after the endpoint has its events.
 */
export function afterMarksGivenUp(
  base: string,
  subscription: string,
  count: number,
): Promise<Sample[]> {
  return waitForValue(async () => {
    const now = await scrape(`${base}/metrics`);
    return sumOf(now, 'fanout_dedupe_marks_skipped_total', { subscription }) >= count
      ? now
      : undefined;
  }, `${count} marks given up`);
}
