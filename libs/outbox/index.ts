export * from './fanout-status.service.js';
export * from './outbox.module.js';
export * from './outbox.relay.js';
export * from './outbox.repository.js';
export * from './outbox.writer.js';
