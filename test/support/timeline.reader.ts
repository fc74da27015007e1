import type { Strategy } from '#libs/config';
import type { ApiClient } from '#libs/contract';
import type { TimelineService } from '#libs/timeline';
import type { TestUser } from '../factories/user.factory.js';

/** Every page of a reader's home timeline, following nextCursor; fails rather than loop on a cursor that never ends. */
export async function readAllPages(timeline: TimelineService, reader: TestUser, limit: number, strategy?: Strategy) {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await timeline.read(reader.id, strategy, cursor, limit);
    pages.push(page.items.map((item) => item.id));
    cursor = page.nextCursor ?? undefined;
    if (pages.length > 100) throw new Error('more than 100 pages: the cursor does not advance');
  } while (cursor);
  return pages;
}

/**
 * A reader's timeline over HTTP once their mailbox serves it: a mailbox is built on its first read (that read comes
 * from PostgreSQL), so this reads until the answer's source is the mailbox, for at most 10 s.
 */
export async function readFromMailbox(api: ApiClient, token: string, query = 'strategy=push') {
  for (let i = 0; ; i++) {
    const page = (await api.call('GET', `/v1/me/timeline?${query}`, { token })).body;
    if (page.source === 'mailbox') return page as { items: { id: string }[]; source: string };
    if (i >= 100) throw new Error(`the mailbox never served the timeline: ${JSON.stringify(page)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The post ids of a page, in its order. */
export const pageIds = (page: { items: { id: string }[] }) => page.items.map((p) => p.id);

/** Runs `call` and says how long it took: the fault tests hold every answer to a time budget. */
export async function timed<T>(call: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await call();
  return { ms: performance.now() - started, result };
}
