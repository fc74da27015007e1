import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '#libs/db';
import { SocialModule, UsersService } from '#libs/social';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { uniqueHandle } from '../../test/support/test-config.js';
import { AuthModule } from './auth.module.js';
import { AuthService, hashToken, tokenDigest } from './auth.service.js';
import { TOKEN_RECHECK_MS, TokenCache } from './token.cache.js';

const ADDRESS = '192.0.2.1';
let services: Services;
let auth: AuthService;

beforeAll(async () => {
  services = await startServices([AuthModule, SocialModule], { env: { AUTH_FAILURES_PER_ADDRESS: '20' } });
  auth = services.get(AuthService);
});
afterAll(() => services?.close());

describe('AuthService', () => {
  it('stops accepting a token within about a second of its row being deleted, though it was cached', async () => {
    const user = await services.get(UsersService).create(uniqueHandle('revoked'), undefined);
    const bearer = `Bearer ${user.token}`;
    expect(await auth.userIdFor(bearer, ADDRESS)).toBe(user.id);
    expect(await auth.userIdFor(bearer, ADDRESS)).toBe(user.id); // now from the cache

    const deleted = await services.get(PrismaService).token.deleteMany({
      where: { tokenHash: new Uint8Array(hashToken(user.token)) },
    });
    expect(deleted.count).toBe(1);
    expect(await refusedAfterMs(bearer)).toBeLessThanOrEqual(2 * TOKEN_RECHECK_MS);
  });

  it('stops accepting the tokens of a deleted user the same way (their rows go with the user)', async () => {
    const user = await services.get(UsersService).create(uniqueHandle('gone'), undefined);
    const bearer = `Bearer ${user.token}`;
    expect(await auth.userIdFor(bearer, ADDRESS)).toBe(user.id);
    await services.get(PrismaService).user.delete({ where: { id: BigInt(user.id) } });
    expect(await refusedAfterMs(bearer)).toBeLessThanOrEqual(2 * TOKEN_RECHECK_MS);
  });

  it('drops a token cached just after its row was deleted (a request that raced the delete)', async () => {
    const user = await services.get(UsersService).create(uniqueHandle('raced'), undefined);
    const digest = tokenDigest(user.token);
    const cache = services.get(TokenCache);
    await cache.dropRevoked();
    await services.get(PrismaService).token.deleteMany({ where: { tokenHash: new Uint8Array(hashToken(user.token)) } });
    await cache.dropRevoked();
    // What a request that read the row before the delete committed puts in the cache after the poll that saw it.
    cache.set(digest, user.id);
    await cache.dropRevoked();
    expect(cache.get(digest)).toBeUndefined();
  });

  it('forgets every cached token once the tokens table is truncated (a reseed)', async () => {
    const user = await services.get(UsersService).create(uniqueHandle('reseeded'), undefined);
    const cache = services.get(TokenCache);
    expect(await auth.userIdFor(`Bearer ${user.token}`, ADDRESS)).toBe(user.id);
    const prisma = services.get(PrismaService);
    // The trigger's record of a TRUNCATE, seen inside a transaction rolled back: other tests share these tables.
    const marked = await prisma
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe('TRUNCATE tokens');
        const rows = await tx.$queryRawUnsafe<{ n: bigint }[]>(
          `SELECT count(*) AS n FROM token_revocations WHERE token_hash = '\\x'::bytea AND revoked_at >= now()`,
        );
        throw Object.assign(new Error('roll back'), { marks: Number(rows[0]!.n) });
      })
      .catch((error: { marks?: number }) => error.marks);
    expect(marked).toBe(1);
    // What that TRUNCATE would have left, committed: the same empty hash.
    await prisma.tokenRevocation.create({ data: { tokenHash: new Uint8Array(0) } });
    await cache.dropRevoked();
    expect(cache.get(tokenDigest(user.token))).toBeUndefined();
  });

  it('keeps the tokens that still exist in the cache', async () => {
    const kept = await services.get(UsersService).create(uniqueHandle('kept'), undefined);
    expect(await auth.userIdFor(`Bearer ${kept.token}`, ADDRESS)).toBe(kept.id);
    const cache = services.get(TokenCache);
    await cache.dropRevoked();
    expect(cache.get(tokenDigest(kept.token))).toBe(kept.id);
  });

  it('refuses an address that failed too often, whatever token it sends next, and no other address', async () => {
    const guesser = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    const user = await services.get(UsersService).create(uniqueHandle('victim'), undefined);
    // Counts are kept per ten-second window: start early in one.
    const intoWindow = Date.now() % 10_000;
    if (intoWindow > 7000) await new Promise((resolve) => setTimeout(resolve, 10_050 - intoWindow));
    const codes: string[] = [];
    for (let i = 0; i < 25; i++) {
      codes.push(await auth.userIdFor(`Bearer flt_guess${i}`, guesser).catch((e: { code: string }) => e.code));
    }
    // AUTH_FAILURES_PER_ADDRESS: 20 in ten seconds.
    expect(codes.slice(0, 20)).toEqual(Array(20).fill('UNAUTHORIZED'));
    expect(new Set(codes.slice(20))).toEqual(new Set(['RATE_LIMITED']));
    await expect(auth.userIdFor(`Bearer ${user.token}`, guesser)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(await auth.userIdFor(`Bearer ${user.token}`, ADDRESS)).toBe(user.id);
  });
});

/** Sends the bearer until it is refused (UNAUTHORIZED); how long after the call that took. */
async function refusedAfterMs(bearer: string): Promise<number | undefined> {
  const revokedAt = Date.now();
  while (Date.now() - revokedAt < 5 * TOKEN_RECHECK_MS) {
    const refused = await auth.userIdFor(bearer, ADDRESS).then(
      () => false,
      (error: { code?: string }) => error.code === 'UNAUTHORIZED',
    );
    if (refused) return Date.now() - revokedAt;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}
