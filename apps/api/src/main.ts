import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '#libs/config';
import { announce, ROOT_LOG } from '#libs/logging';
import { createApiApp } from './api.app.js';
import { stopApiGracefully } from './api.shutdown.js';

try {
  const config = loadConfig();
  const app = await createApiApp(config);
  const log = app.get(Logger);
  if (config.adminTokenIsDefault) {
    log.warn('ADMIN_TOKEN is not set; the admin API accepts the published default "local-admin-token".', 'Config');
  }
  await app.listen(config.port, config.host);
  stopApiGracefully(app, config.timeouts.shutdownGraceMs);
  announce(app.get(ROOT_LOG), `fanout-lab api listening on http://${config.host}:${config.port}`);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
