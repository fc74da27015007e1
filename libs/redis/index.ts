// The key layout is the contract's (tools name keys too); re-exported so the product takes it from its Redis library.
export { RedisKeys } from '#libs/contract';
export * from './redis.connections.js';
export * from './redis.module.js';
export * from './redis.service.js';
export * from './redis.options.js';
export * from './redis.settings.js';
