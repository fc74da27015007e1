import { Logger } from '@nestjs/common';
import { withDeadline } from '#libs/errors';

const logger = new Logger('Shutdown');

/**
 * The end of a process on SIGTERM or SIGINT: `drain` stops taking work and lets the work in hand finish (it is given
 * `graceMs`), then `close` releases connections and pools. Whatever `drain` has not finished by then is left to the
 * rest of the deployment (a request the client retries, a job another worker takes over), never half-done behind a
 * closed pool: that is why connections close last, not first as Nest's own shutdown hooks would.
 */
export function closeOnStopSignals(graceMs: number, drain: () => Promise<void>, close: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: finishing the work in hand (up to ${graceMs} ms), then closing`);
    // A close that hangs (a dependency gone silent) must not keep the process alive past its grace.
    setTimeout(() => {
      logger.warn('could not close in time; exiting');
      process.exit(1);
    }, graceMs + 5000).unref();
    try {
      await withDeadline(drain(), graceMs, 'draining').catch((error: Error) => logger.warn(error.message));
      await close();
      process.exit(0);
    } catch (error) {
      logger.error(`closing failed: ${(error as Error).message}`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
}
