export * from './log.options.js';
export * from './logging.module.js';
export * from './request.context.js';
