import { Module } from '@nestjs/common';
import { AuthorTimelineStore } from './author-timeline.store.js';
import { MailboxStore } from './mailbox.store.js';

@Module({ providers: [MailboxStore, AuthorTimelineStore], exports: [MailboxStore, AuthorTimelineStore] })
export class MailboxModule {}
