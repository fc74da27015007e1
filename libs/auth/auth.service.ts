import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { Prisma } from '#libs/db';
import { UnauthorizedError } from '#libs/errors';
import { AuthFailures } from './auth.failures.js';
import type { AuthedRequest } from './auth.request.js';
import { TokenCache } from './token.cache.js';
import { TokensRepository } from './tokens.repository.js';

const TOKEN_PREFIX = 'flt_';

/**
 * A token's SHA-256 in base64, the token cache's key: one call with no Hash object or Buffer on the way, since the
 * hot read computes it on every request (createHash's object and digest were ~3 % of a push read's API CPU, profiled).
 */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'base64');
}

/** A token's SHA-256, as the database stores it. */
export function hashToken(token: string): Buffer {
  return Buffer.from(tokenDigest(token), 'base64');
}

/** Bearer tokens: 256 random bits, shown once, stored as SHA-256. Verified tokens are cached in process. */
@Injectable()
export class AuthService {
  private readonly adminHash: Buffer;

  constructor(
    private readonly tokens: TokensRepository,
    private readonly cache: TokenCache,
    private readonly failures: AuthFailures,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.adminHash = hashToken(config.adminToken);
  }

  async issue(tx: Prisma.TransactionClient, userId: bigint): Promise<string> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    await this.tokens.insert(tx, userId, hashToken(token));
    return token;
  }

  /** The user a bearer token belongs to; `address` (the client's) counts failures against token guessing. */
  async userIdFor(authorization: string | undefined, address: string): Promise<string> {
    const token = bearer(authorization);
    const digest = tokenDigest(token);
    const cached = this.cache.get(digest);
    if (cached) return cached;
    await this.failures.checkAllowed(address);
    const userId = await this.tokens.findUserId(Buffer.from(digest, 'base64'));
    if (!userId) {
      await this.failures.record(address);
      throw new UnauthorizedError('The bearer token is not valid.');
    }
    this.cache.set(digest, userId);
    return userId;
  }

  /**
   * The user of a request's bearer token, verified once per request: the rate limiter may have found it already
   * (knownUserId), and hashing the token again would cost the hot read a second SHA-256.
   */
  async userOf(request: AuthedRequest): Promise<string> {
    request.userId ??= await this.userIdFor(request.headers.authorization, request.ip);
    return request.userId;
  }

  /**
   * The user of a request's bearer token if this process has already verified it, without a query (and remembered
   * on the request for userOf); undefined otherwise.
   */
  knownUserId(request: AuthedRequest): string | undefined {
    if (request.userId !== undefined) return request.userId;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined) return undefined;
    request.userId = this.cache.get(tokenDigest(token));
    return request.userId;
  }

  isAdmin(authorization: string | undefined): boolean {
    return timingSafeEqual(hashToken(bearer(authorization)), this.adminHash);
  }
}

function bearer(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) throw new UnauthorizedError('Send Authorization: Bearer <token>.');
  return match[1]!;
}
