import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { serversOf } from './redis.connections.js';
import { RedisService } from './redis.service.js';

/**
 * What this build writes under a prefix; a process that finds another refuses to start. 2: settles keep posts of
 * authors the owner does not follow (reads filter them), which a reader of layout 1 would show. 3: mailboxes newest at
 * the tail.
 */
export const MAILBOX_LAYOUT = 'mailbox-list/3';

/**
 * The Redis settings the design relies on, checked when a process starts (README, "Redis settings"):
 * - every process of a deployment uses the same key layout and REDIS_SHARDS (a key's name depends on both);
 * - `maxmemory-policy noeviction`: an evicted queue key loses fan-out jobs (BullMQ's own requirement);
 * - `list-max-listpack-size` negative (nodes bounded by size) or large: the per-entry memory of mailboxes assumes lists
 *   packed in listpack nodes; small positive values store a few entries per node and multiply memory (a warning).
 * Where CONFIG is not allowed (managed Redis), the last two are reported as unchecked.
 */
@Injectable()
export class RedisSettings implements OnModuleInit {
  private readonly logger = new Logger('Redis');

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.checkLayout();
    await this.checkConfig();
  }

  private async checkLayout(): Promise<void> {
    const key = `${this.config.redisPrefix}:layout`;
    const wanted = `${MAILBOX_LAYOUT} shards=${this.config.redisShards}`;
    await this.redis.client.set(key, wanted, 'NX');
    const found = await this.redis.client.get(key);
    if (found !== wanted) {
      throw new Error(
        `Redis keys under prefix "${this.config.redisPrefix}" are laid out as "${found}", this process expects ` +
          `"${wanted}". Every process of a deployment needs the same REDIS_SHARDS; to change it, delete the prefix's ` +
          'keys (mailboxes are rebuilt from PostgreSQL) or use a new REDIS_PREFIX.',
      );
    }
  }

  private async checkConfig(): Promise<void> {
    // Every master of a cluster holds part of the mailboxes and maybe the queue: each must have the settings.
    for (const server of serversOf(this.redis.client)) await this.checkServer(server);
  }

  private async checkServer(server: ReturnType<typeof serversOf>[number]): Promise<void> {
    let settings: Record<string, string>;
    try {
      const reply = (await server.config('GET', 'maxmemory-policy')) as string[];
      const lists = (await server.config('GET', 'list-max-listpack-size')) as string[];
      settings = Object.fromEntries([...pairs(reply), ...pairs(lists)]);
    } catch (error) {
      this.logger.warn(`could not read Redis settings (${(error as Error).message}); see README, "Redis settings"`);
      return;
    }
    const policy = settings['maxmemory-policy'];
    if (policy !== undefined && policy !== 'noeviction') {
      throw new Error(
        `Redis maxmemory-policy is "${policy}": it must be "noeviction" (CONFIG SET maxmemory-policy noeviction). ` +
          'An evicted queue key would lose fan-out jobs; see README, "Redis settings".',
      );
    }
    const listpack = Number(settings['list-max-listpack-size'] ?? -2);
    if (listpack > 0 && listpack < 64) {
      this.logger.warn(
        `Redis list-max-listpack-size is ${listpack}: mailboxes will take several times the memory per entry; ` +
          'the default (-2) is what the README figures assume.',
      );
    }
  }
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
