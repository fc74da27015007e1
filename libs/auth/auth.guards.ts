import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '#libs/errors';
import { AuthService } from './auth.service.js';

/** A request whose bearer token was verified carries its user (the request line logs it without hashing again). */
export type AuthedRequest = FastifyRequest & { userId?: string };

/** Requires a user's bearer token; the user id it belongs to is the only identity a handler sees. */
@Injectable()
export class UserGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    request.userId = await this.auth.userIdFor(request.headers.authorization, request.ip);
    return true;
  }
}

@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    if (!this.auth.isAdmin(request.headers.authorization)) {
      throw new ForbiddenError('This call needs the admin token.');
    }
    return true;
  }
}

export const CurrentUserId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const userId = context.switchToHttp().getRequest<AuthedRequest>().userId;
  if (!userId) throw new Error('CurrentUserId used on a route without UserGuard');
  return userId;
});
