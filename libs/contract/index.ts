// The product's surface for outside tools (the load suite, the tests): what they may know about the product without
// reaching into its libraries. Nest-free by rule (eslint.config.js) and by test (contract.spec.ts): importing it
// loads no framework, no database client and no queue library.
export * from './api.client.js';
export * from './api.responses.js';
export * from './error.codes.js';
export * from './histogram.math.js';
export * from './mailbox.entry.js';
export * from './mailbox.read.js';
export * from './metrics.aggregate.js';
export * from './metrics.series.js';
export * from './post.id.js';
export * from './product.processes.js';
export * from './redis.cleanup.js';
export * from './redis.keys.js';
export * from './redis.slots.js';
export * from './service.process.js';
export * from './timeline.strategies.js';
export * from './local.cluster.js';
export * from './local.servers.js';
