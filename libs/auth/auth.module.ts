import { Module } from '@nestjs/common';
import { AdminGuard, UserGuard } from './auth.guards.js';
import { AuthFailures } from './auth.failures.js';
import { AuthService } from './auth.service.js';
import { TokenCache } from './token.cache.js';
import { TokensRepository } from './tokens.repository.js';

@Module({
  providers: [TokensRepository, TokenCache, AuthFailures, AuthService, UserGuard, AdminGuard],
  exports: [AuthService, UserGuard, AdminGuard],
})
export class AuthModule {}
