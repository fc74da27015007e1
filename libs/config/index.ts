export * from './app-config.js';
export * from './app-config.types.js';
export * from './config.module.js';
