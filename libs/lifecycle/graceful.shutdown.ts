import { Logger } from '@nestjs/common';
import { withDeadline } from '#libs/errors';

const logger = new Logger('Shutdown');

/**
 * The end of a process on SIGTERM or SIGINT: `drain` stops taking work and lets the work in hand finish (it is given
 * `graceMs`), then `close` releases connections and pools. Connections close last, not first as Nest's own shutdown
 * hooks would (its destroy hooks end the pools before anything else), so nothing in hand meets a closed pool. If the
 * work in hand does not finish in time, the process exits without closing anything: what was left is the rest of the
 * deployment's to finish (a client retries its request, another worker takes the job over once its lock expires),
 * which is safe because requests and jobs are idempotent, and better than failing it against closed pools.
 */
export function closeOnStopSignals(graceMs: number, drain: () => Promise<void>, close: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    // A second signal while draining (an impatient orchestrator, a double Ctrl-C) changes nothing.
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: finishing the work in hand (up to ${graceMs} ms), then closing`);
    try {
      await withDeadline(drain(), graceMs, 'the work in hand');
    } catch (error) {
      logger.warn(`${(error as Error).message}; exiting, the rest of the deployment takes it over`);
      process.exit(1);
    }
    try {
      await withDeadline(close(), 5000, 'closing connections');
      process.exit(0);
    } catch (error) {
      logger.error(`closing failed: ${(error as Error).message}`);
      process.exit(1);
    }
  };
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));
}
