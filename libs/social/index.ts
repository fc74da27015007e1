export * from './follows.repository.js';
export * from './follows.service.js';
export * from './social.module.js';
export * from './users.repository.js';
export * from './users.service.js';
