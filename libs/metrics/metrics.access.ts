import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '#libs/config';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Whether a scrape of /metrics may see this process's metrics: always when METRICS_TOKEN is unset (a private
 * network, the local default), otherwise only with `Authorization: Bearer <METRICS_TOKEN>`. Compared as digests, in
 * constant time.
 */
export function mayScrape(config: Pick<AppConfig, 'metricsToken'>, authorization: string | undefined): boolean {
  if (config.metricsToken === null) return true;
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  return presented !== undefined && timingSafeEqual(digest(presented), digest(config.metricsToken));
}
