import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { pino, type Logger as PinoInstance } from 'pino';
import type { AppConfig } from '#libs/config';
import { LineBuffer } from './log.buffer.js';
import { pinoOptions } from './log.options.js';

/**
 * JSON lines go to stdout in large blocks (LineBuffer: what it saves the push read), at least every second and when
 * the process exits, a crash included; a SIGKILL loses up to the last second of lines. Pretty output goes through
 * pino-pretty's transport instead.
 */
const FLUSH_MS = 1000;

function destination(config: Pick<AppConfig, 'logFormat'>) {
  return config.logFormat === 'pretty' ? undefined : new LineBuffer();
}

/** The process's one pino logger, for code that writes structured lines itself (the API's request line, job lines). */
export const ROOT_LOG = Symbol('ROOT_LOG');
export type RootLog = PinoInstance;

/**
 * Logging for both processes: one pino logger, and nestjs-pino so that Nest's own `Logger` (every
 * `new Logger('Context')` in the libraries) writes through it, each line carrying its context and, in the worker,
 * through the logger's mixin, the id of the request the job descends from. nestjs-pino's per-request logger and
 * middleware are not used: the hottest route is Fastify's own and never passes Nest's middleware, and an
 * AsyncLocalStorage per request costs every promise of the API on Node 20. The API writes its request line itself
 * (apps/api/src/request.log.ts).
 */
@Module({})
export class LoggingModule {
  static forRoot(config: Pick<AppConfig, 'logLevel' | 'logFormat'>, role: string): DynamicModule {
    const logger = pino(pinoOptions(config, role), destination(config));
    // At a few lines a second a block would take minutes to fill: whatever is buffered goes out every second.
    setInterval(() => logger.flush(), FLUSH_MS).unref();
    return {
      module: LoggingModule,
      global: true,
      // No routes: its middleware would put every request in an AsyncLocalStorage (see request.log.ts in the API).
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [] })],
      providers: [{ provide: ROOT_LOG, useValue: logger }],
      exports: [ROOT_LOG, LoggerModule],
    };
  }
}

/**
 * A line written whatever LOG_LEVEL says: that a process is up and where (people and scripts wait for it). Logged at
 * info through a child whose level lets it through.
 */
export function announce(log: RootLog, message: string): void {
  log.child({ context: 'Main' }, { level: 'info' }).info(message);
  log.flush();
}
