import type { Strategy } from '#libs/config';
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
