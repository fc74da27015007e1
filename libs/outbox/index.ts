export * from './fanout.jobs.js';
export * from './fanout.queue.js';
export * from './outbox.module.js';
export * from './outbox.repository.js';
export * from './outbox.service.js';
export * from './fanout-status.service.js';
