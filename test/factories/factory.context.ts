import type { INestApplicationContext } from '@nestjs/common';
import { PrismaService } from '#libs/db';
import { FlagsService } from '#libs/flags';
import { AuthorTimelineStore, MailboxStore } from '#libs/mailbox';
import { RedisService } from '#libs/redis';

/**
 * The app the factories write through. A test file binds its Nest app once (startServices does it), so the builders
 * read like the domain (`aUser().create()`) instead of passing the app to every call. Files run one after another
 * (the int project has no file parallelism) and each unbinds its app when it closes it.
 */
let bound: INestApplicationContext | null = null;

export function bindFactories(app: INestApplicationContext | null): void {
  bound = app;
}

function app(): INestApplicationContext {
  if (!bound) throw new Error('factories are not bound to an app: call startServices() in beforeAll first');
  return bound;
}

export const db = () => app().get(PrismaService);
export const mailboxes = () => app().get(MailboxStore);
export const authorTimelines = () => app().get(AuthorTimelineStore);
export const flags = () => app().get(FlagsService);
export const redis = () => app().get(RedisService);
