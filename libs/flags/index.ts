export * from './flags.module.js';
export * from './flags.policy.js';
export * from './flags.repository.js';
export * from './flags.service.js';
