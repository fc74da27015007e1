export * from './domain.errors.js';
export * from './error.codes.js';
export * from './http-error.filter.js';
