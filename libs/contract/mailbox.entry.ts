// How a post is stored in a mailbox or an author's timeline: the member "postId:authorId", the post id zero-padded to
// 16 digits (53-bit ids have at most 16), so members order as their post ids do when compared as strings: the mailbox
// scripts sort and compare members natively, without parsing an id out of each. The product's stores write and read
// members with these, and a tool that reads mailboxes directly (the ceiling server) decodes them with the same code.

/** Digits of a post id in a member. */
export const MEMBER_ID_DIGITS = 16;

/** One mailbox entry: a post id (also its score) and its author, so unfollow can retract by author. */
export interface MailboxEntry {
  postId: string;
  authorId: string;
}

export function memberOf(entry: MailboxEntry): string {
  return `${entry.postId.padStart(MEMBER_ID_DIGITS, '0')}:${entry.authorId}`;
}

export function entryOf(member: string): MailboxEntry {
  const at = member.indexOf(':');
  return { postId: String(Number(member.slice(0, at))), authorId: member.slice(at + 1) };
}
