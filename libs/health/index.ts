export * from './health.indicator.js';
export * from './health.module.js';
export * from './readiness.service.js';
