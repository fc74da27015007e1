import { Module } from '@nestjs/common';
import { OutboxModule } from '#libs/outbox';
import { PostCacheStore } from './post-cache.store.js';
import { PostsRepository } from './posts.repository.js';
import { PostsService } from './posts.service.js';

@Module({
  imports: [OutboxModule],
  providers: [PostsRepository, PostsService, PostCacheStore],
  exports: [PostsRepository, PostsService, PostCacheStore],
})
export class PostsModule {}
