export * from './merge.js';
export * from './timeline.module.js';
export * from './timeline.service.js';
export * from './request.charge.js';
