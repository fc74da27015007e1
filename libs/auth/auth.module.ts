import { Module } from '@nestjs/common';
import { AdminGuard, UserGuard } from './auth.guards.js';
import { AuthService } from './auth.service.js';
import { TokensRepository } from './tokens.repository.js';

@Module({
  providers: [TokensRepository, AuthService, UserGuard, AdminGuard],
  exports: [AuthService, UserGuard, AdminGuard],
})
export class AuthModule {}
