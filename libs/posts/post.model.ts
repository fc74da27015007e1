/** What the post cache holds for a deleted post (a tombstone, so a miss is not read from PostgreSQL again). */
export const DELETED_POST = '-';

/** A post as every list and read returns it. */
export interface TimelineItem {
  id: string;
  author: { id: string; handle: string };
  body: string;
  createdAt: string;
}

export interface PostRow {
  id: bigint;
  authorId: bigint;
  handle: string;
  body: string;
  createdAt: Date;
}

export function toItem(row: PostRow): TimelineItem {
  return {
    id: row.id.toString(),
    author: { id: row.authorId.toString(), handle: row.handle },
    body: row.body,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Post bodies are 1..280 Unicode code points, and not only whitespace. */
export const MAX_POST_LENGTH = 280;
export function postLength(body: string): number {
  return [...body].length;
}
