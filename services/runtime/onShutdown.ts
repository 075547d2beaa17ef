import type { Logger } from '../../libs/log/logger.ts';

/**
 * Runs `shutdown` once on SIGTERM or SIGINT, then exits. A second signal, or a shutdown that
 * outlives the grace period, exits at once: work not committed is redelivered, never lost.
 */
export function onShutdown(log: Logger, shutdown: () => Promise<void>, graceMs = 30_000): void {
  let started = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (started) {
      log.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    started = true;
    log.info('shutting down', { signal });
    const timer = setTimeout(() => {
      log.error('shutdown exceeded grace period; exiting', { graceMs });
      process.exit(1);
    }, graceMs);
    timer.unref();
    shutdown().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
