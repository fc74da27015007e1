import 'reflect-metadata';
import { ConfigError, loadConfig } from '#libs/config';
import { createApiApp } from './api.app.js';
import { stopApiGracefully } from './api.shutdown.js';

try {
  const config = loadConfig();
  if (config.adminTokenIsDefault) {
    console.warn('WARNING: ADMIN_TOKEN is not set; the admin API accepts the published default "local-admin-token".');
  }
  const app = await createApiApp(config);
  await app.listen(config.port, config.host);
  stopApiGracefully(app, config.timeouts.shutdownGraceMs);
  console.log(`fanout-lab api listening on http://${config.host}:${config.port}`);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
