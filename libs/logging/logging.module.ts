import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { pino, type Logger as PinoInstance } from 'pino';
import type { AppConfig } from '#libs/config';
import { pinoOptions } from './log.options.js';

/** The process's one pino logger, for code that writes structured lines itself (the API's request line, job lines). */
export const ROOT_LOG = Symbol('ROOT_LOG');
export type RootLog = PinoInstance;

/**
 * Logging for both processes: one pino logger, and nestjs-pino so that Nest's own `Logger` (every
 * `new Logger('Context')` in the libraries) writes through it, each line carrying its context and, through the
 * logger's mixin, the id of the request or job it ran for. nestjs-pino's per-request pino-http logger is not used
 * (`useExisting`): the hottest route is Fastify's own and never passes Nest's middleware, and one root logger with
 * the id taken from the async context needs no child logger per request. The API writes its request line itself
 * (apps/api/src/request.log.ts).
 */
@Module({})
export class LoggingModule {
  static forRoot(config: Pick<AppConfig, 'logLevel' | 'logFormat'>, role: string): DynamicModule {
    const logger = pino(pinoOptions(config, role));
    return {
      module: LoggingModule,
      global: true,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true })],
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
}
