import { Module } from '@nestjs/common';
import { MailboxStore } from './mailbox.store.js';

@Module({ providers: [MailboxStore], exports: [MailboxStore] })
export class MailboxModule {}
