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

/** Post ids are (milliseconds since 2024-01-01) << 12 | sequence (see the migration's next_post_id). */
const ID_EPOCH_MS = 1_704_067_200_000;
export function postTimeMs(postId: string): number {
  return Math.floor(Number(postId) / 4096) + ID_EPOCH_MS;
}
