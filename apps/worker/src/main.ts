import 'reflect-metadata';
import { ConfigError, loadConfig } from '#libs/config';
import { announce, ROOT_LOG } from '#libs/logging';
import { createWorkerApp } from './worker.app.js';
import { stopWorkerGracefully } from './worker.shutdown.js';

try {
  const config = loadConfig();
  const app = await createWorkerApp(config);
  stopWorkerGracefully(app, config.timeouts.shutdownGraceMs);
  announce(app.get(ROOT_LOG), `fanout-lab worker running (concurrency ${config.fanoutConcurrency})`);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
