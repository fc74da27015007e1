import type { MailboxEntry } from '#libs/jobs';

export type { MailboxEntry };

// How a post is stored in a mailbox or an author's timeline: the sorted-set member "postId:authorId" (the score is
// the post id). No Nest imports, so the ceiling server reads mailboxes with exactly this decoding.

export function memberOf(entry: MailboxEntry): string {
  return `${entry.postId}:${entry.authorId}`;
}

export function entryOf(member: string): MailboxEntry {
  const at = member.indexOf(':');
  return { postId: member.slice(0, at), authorId: member.slice(at + 1) };
}
