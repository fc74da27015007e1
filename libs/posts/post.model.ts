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
