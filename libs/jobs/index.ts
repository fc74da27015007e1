export * from './fanout.jobs.js';
export * from './fanout.queue.js';
export * from './jobs.module.js';
