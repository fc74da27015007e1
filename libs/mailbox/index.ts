export * from './mailbox.module.js';
export * from './mailbox.store.js';
