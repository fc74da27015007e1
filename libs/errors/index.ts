export * from './domain.errors.js';
export * from './http-error.filter.js';
export * from './outage.js';
