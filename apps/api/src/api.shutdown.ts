import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { closeOnStopSignals } from '#libs/lifecycle';

/**
 * SIGTERM for the API: stop accepting connections (a request arriving on an open keep-alive connection gets 503 with
 * `Connection: close`, so the client retries elsewhere), let the requests in flight finish, then close the
 * connections, and only then PostgreSQL and Redis.
 */
export function stopApiGracefully(app: NestFastifyApplication, graceMs: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  const server = fastify.server;
  let inFlight = 0;
  server.on('request', (_request, response) => {
    inFlight += 1;
    response.once('close', () => (inFlight -= 1));
  });
  closeOnStopSignals(
    graceMs,
    async () => {
      const closed = fastify.close();
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      // Idle keep-alive connections would otherwise hold the close for the keep-alive timeout.
      server.closeAllConnections();
      await closed;
    },
    () => app.close(),
  );
}
