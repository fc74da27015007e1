import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { type PrivatePostgres, type PrivateRedis, type Service, startProduct } from '#libs/contract';

/** The deployment chaos plays with: its own PostgreSQL and Redis, two API processes and two workers. */
export interface Deployment {
  postgres: PrivatePostgres;
  redis: PrivateRedis;
  apis: { port: number; service: Service }[];
  workers: Service[];
  env: Record<string, string>;
}

export type FaultKind =
  | 'worker SIGKILL'
  | 'worker SIGTERM'
  | 'API SIGKILL'
  | 'API SIGTERM'
  | 'Redis flushed'
  | 'Redis down 3 s'
  | 'PostgreSQL down 5 s'
  | 'PostgreSQL frozen 3 s';

export const FAULT_KINDS: FaultKind[] = [
  'worker SIGKILL',
  'worker SIGTERM',
  'API SIGKILL',
  'API SIGTERM',
  'Redis flushed',
  'Redis down 3 s',
  'PostgreSQL down 5 s',
  'PostgreSQL frozen 3 s',
];

/** Injects one fault and brings the deployment back to whole before it returns. */
export async function inject(kind: FaultKind, d: Deployment, pick: (n: number) => number): Promise<void> {
  switch (kind) {
    case 'worker SIGKILL':
    case 'worker SIGTERM': {
      const i = pick(d.workers.length);
      await d.workers[i]!.stop(kind === 'worker SIGKILL' ? 'SIGKILL' : 'SIGTERM');
      await sleep(1000);
      d.workers[i] = await startProduct('worker', d.env);
      return;
    }
    case 'API SIGKILL':
    case 'API SIGTERM': {
      const api = d.apis[pick(d.apis.length)]!;
      await api.service.stop(kind === 'API SIGKILL' ? 'SIGKILL' : 'SIGTERM');
      await sleep(1000);
      api.service = await startProduct('api', { ...d.env, PORT: String(api.port), HOST: '127.0.0.1' });
      return;
    }
    case 'Redis flushed': {
      const redis = new Redis(d.redis.url);
      await redis.flushall();
      redis.disconnect();
      return;
    }
    case 'Redis down 3 s':
      await d.redis.stop();
      await sleep(3000);
      await d.redis.restart();
      return;
    case 'PostgreSQL down 5 s':
      await d.postgres.stop();
      await sleep(5000);
      await d.postgres.restart();
      return;
    case 'PostgreSQL frozen 3 s':
      await d.postgres.freeze();
      await sleep(3000);
      await d.postgres.thaw();
      return;
  }
}
