import 'reflect-metadata';
import { ConfigError, loadConfig } from '#libs/config';
import { createWorkerApp } from './worker.app.js';

try {
  const config = loadConfig();
  await createWorkerApp(config);
  console.log(`fanout-lab worker running (concurrency ${config.fanoutConcurrency})`);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
