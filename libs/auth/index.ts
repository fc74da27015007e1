export * from './auth.guards.js';
export * from './auth.module.js';
export * from './auth.service.js';
export * from './auth.request.js';
