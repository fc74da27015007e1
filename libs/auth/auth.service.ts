import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { Prisma } from '#libs/db';
import { UnauthorizedError } from '#libs/errors';
import { TokensRepository } from './tokens.repository.js';

const TOKEN_PREFIX = 'flt_';
const CACHE_LIMIT = 100_000;

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Bearer tokens: 256 random bits, shown once, stored as SHA-256. Verified tokens are cached in process. */
@Injectable()
export class AuthService {
  private readonly cache = new Map<string, string>();
  private readonly adminHash: Buffer;

  constructor(
    private readonly tokens: TokensRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.adminHash = hashToken(config.adminToken);
  }

  async issue(tx: Prisma.TransactionClient, userId: bigint): Promise<string> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    await this.tokens.insert(tx, userId, hashToken(token));
    return token;
  }

  async userIdFor(authorization: string | undefined): Promise<string> {
    const token = bearer(authorization);
    const hash = hashToken(token);
    const key = hash.toString('base64');
    const cached = this.cache.get(key);
    if (cached) return cached;
    const userId = await this.tokens.findUserId(hash);
    if (!userId) throw new UnauthorizedError('The bearer token is not valid.');
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, userId);
    return userId;
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
