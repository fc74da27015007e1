export * from './metrics.module.js';
export * from './metrics.service.js';
export * from './metrics.store.js';
export * from './http.metrics.js';
export * from './metrics.access.js';
