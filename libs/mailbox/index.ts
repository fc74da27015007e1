export * from './mailbox.module.js';
export * from './mailbox.store.js';
export * from './author-timeline.store.js';
