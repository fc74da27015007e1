import { COUNT_REQUEST, READ, READ_KEYS } from '#libs/contract';
import * as scripts from './mailbox.scripts.js';

// The mailbox scripts as ioredis commands (defined on the client by MailboxStore), by name.

type ScriptName =
  | 'mailboxDeliver'
  | 'mailboxRead'
  | 'mailboxCountRequest'
  | 'mailboxAddFollowee'
  | 'mailboxRetractAuthor'
  | 'mailboxBeginBuild'
  | 'mailboxSetFollowees'
  | 'mailboxFinishBuild'
  | 'mailboxAddPullAuthor';
type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;
export type WithScripts<T> = T & Record<ScriptName, ScriptFn>;

export const MAILBOX_COMMANDS: Record<ScriptName, { lua: string; numberOfKeys?: number }> = {
  mailboxDeliver: { lua: scripts.DELIVER, numberOfKeys: 1 },
  mailboxRead: { lua: READ, numberOfKeys: READ_KEYS },
  mailboxCountRequest: { lua: COUNT_REQUEST, numberOfKeys: 1 },
  mailboxAddFollowee: { lua: scripts.ADD_FOLLOWEE, numberOfKeys: 4 },
  mailboxRetractAuthor: { lua: scripts.RETRACT_AUTHOR, numberOfKeys: 4 },
  mailboxBeginBuild: { lua: scripts.BEGIN_BUILD, numberOfKeys: 2 },
  mailboxSetFollowees: { lua: scripts.SET_FOLLOWEES, numberOfKeys: 4 },
  mailboxFinishBuild: { lua: scripts.FINISH_BUILD, numberOfKeys: 3 },
  mailboxAddPullAuthor: { lua: scripts.ADD_PULL_AUTHOR },
};
