export * from './health.indicator.js';
export * from './health.module.js';
export * from './postgres.indicator.js';
export * from './queue.indicator.js';
export * from './readiness.service.js';
export * from './redis.indicator.js';
