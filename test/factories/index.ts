export * from './event.factory.js';
export * from './factory.context.js';
export * from './flags.factory.js';
export * from './follow.factory.js';
export * from './graph.factory.js';
export * from './mailbox.factory.js';
export * from './post.factory.js';
export * from './user.factory.js';
