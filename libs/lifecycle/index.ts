export * from './graceful.shutdown.js';
