import 'reflect-metadata';
import { ConfigError, loadConfig } from '#libs/config';
import { createWorkerApp } from './worker.app.js';
import { stopWorkerGracefully } from './worker.shutdown.js';

try {
  const config = loadConfig();
  const app = await createWorkerApp(config);
  stopWorkerGracefully(app, config.timeouts.shutdownGraceMs);
  console.log(`fanout-lab worker running (concurrency ${config.fanoutConcurrency})`);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
