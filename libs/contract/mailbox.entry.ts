// How a post is stored in a mailbox or an author's timeline: the sorted-set member "postId:authorId" (the score is
// the post id). The product's stores write and read members with these, and a tool that reads mailboxes directly (the
// ceiling server) decodes them with the very same function.

/** One mailbox entry: a post id (also its score) and its author, so unfollow can retract by author. */
export interface MailboxEntry {
  postId: string;
  authorId: string;
}

export function memberOf(entry: MailboxEntry): string {
  return `${entry.postId}:${entry.authorId}`;
}

export function entryOf(member: string): MailboxEntry {
  const at = member.indexOf(':');
  return { postId: member.slice(0, at), authorId: member.slice(at + 1) };
}
