import 'reflect-metadata';
import { ConfigError, loadConfig } from '#libs/config';
import { createApiApp } from './api.app.js';

try {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.port, config.host);
  console.log(`fanout-lab api listening on http://${config.host}:${config.port}`);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
