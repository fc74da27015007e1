// Post ids are (milliseconds since POST_ID_EPOCH_MS) << POST_ID_SEQ_BITS | sequence, as next_post_id() in the init
// migration makes them. The product reads a post's time back from its id (the delivery lag); the graph seeder writes
// posts with COPY and makes their ids itself, in the same layout, so seeded posts and posts made later sort together.

/** 2024-01-01T00:00:00Z. */
export const POST_ID_EPOCH_MS = Date.UTC(2024, 0, 1);
export const POST_ID_SEQ_BITS = 12;

/** When the post was made, in ms since 1970, from its id. */
export function postTimeMs(postId: string): number {
  return Math.floor(Number(postId) / 2 ** POST_ID_SEQ_BITS) + POST_ID_EPOCH_MS;
}
