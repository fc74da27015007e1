export * from './db.module.js';
export * from './pg.pool.js';
export * from './prisma.service.js';
export * from './read.router.js';
export * from './replica.service.js';
export * from './migrator.js';
export { Prisma } from './generated/client.js';
export type { User, Post, Follow, OutboxEvent } from './generated/client.js';
