export * from './post-cache.store.js';
export * from './post.model.js';
export * from './post.rules.js';
export * from './posts.module.js';
export * from './posts.repository.js';
export * from './posts.service.js';
