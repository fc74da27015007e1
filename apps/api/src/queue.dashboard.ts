import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '#libs/auth';
import { sendError, UnauthorizedError } from '#libs/errors';
import { FANOUT_QUEUE } from '#libs/jobs';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * The page's own policy: its scripts, stylesheet and API calls from this origin, the inline styles of its loading
 * screen, and nothing from elsewhere (the web font it names is blocked, so no request leaves; a system font shows).
 */
const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/**
 * bull-board's page links a web font on fonts.googleapis.com. The link is dropped from the page, so that opening the
 * dashboard makes no request to another host (it works offline, and tells no one who looks at it) and the policy
 * above has nothing to refuse; the page falls back to a system font.
 */
export const withoutWebFonts = (html: string): string =>
  html.replace(/<link[^>]+href="https:\/\/fonts\.(googleapis|gstatic)\.com[^>]*>/g, '');

/**
 * The admin credential from either header a person or a tool sends: `Bearer <ADMIN_TOKEN>` (curl, scripts) or HTTP
 * Basic with the token as the password (a browser asks for it; the user name is not checked).
 */
export function adminCredential(authorization: string | undefined): string | undefined {
  const basic = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (basic === undefined) return authorization;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : `Bearer ${decoded.slice(colon + 1)}`;
}

/**
 * bull-board for the fan-out queue at /admin/queues, behind the admin token. Read-only: removing, emptying or pausing
 * from a dashboard would go around the outbox (a removed job is re-added by the relay's sweep anyway), and failed jobs
 * are retried by the product itself; the dashboard is for seeing what the queue holds and why a job failed.
 */
export async function serveQueueDashboard(app: NestFastifyApplication): Promise<void> {
  const auth = app.get(AuthService);
  const board = new BullBoardAdapter();
  board.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(app.get<Queue>(getQueueToken(FANOUT_QUEUE)), { readOnlyMode: true })],
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'fanout-lab queue' } },
  });
  const isAdmin = (authorization: string | undefined) => {
    try {
      return auth.isAdmin(adminCredential(authorization));
    } catch {
      return false; // no credential at all
    }
  };
  const onlyAdmins = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (isAdmin(request.headers.authorization)) return done();
    void sendError(
      reply.header('www-authenticate', 'Basic realm="fanout-lab admin", charset="UTF-8"'),
      new UnauthorizedError('The queue dashboard needs the admin token (Bearer, or Basic with the token as password).'),
    );
  };
  await app
    .getHttpAdapter()
    .getInstance()
    .register(async (scope: FastifyInstance) => {
      scope.addHook('onRequest', onlyAdmins);
      scope.addHook('onSend', (_request, reply, payload, done) => {
        void reply.header('content-security-policy', DASHBOARD_CSP);
        done(null, typeof payload === 'string' ? withoutWebFonts(payload) : payload);
      });
      await scope.register(board.registerPlugin(), { prefix: DASHBOARD_PATH });
    });
}
