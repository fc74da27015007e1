export * from './fanout.module.js';
export * from './fanout.plan.js';
export * from './fanout.service.js';
export * from './outbox-relay.service.js';
