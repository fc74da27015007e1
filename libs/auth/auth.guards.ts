import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { ForbiddenError } from '#libs/errors';
import type { AuthedRequest } from './auth.request.js';
import { AuthService } from './auth.service.js';

/** Requires a user's bearer token; the user id it belongs to is the only identity a handler sees. */
@Injectable()
export class UserGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    await this.auth.userOf(request);
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
