import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '#libs/db';
import { SocialModule, UsersService } from '#libs/social';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { uniqueHandle } from '../../test/support/test-config.js';
import { AuthModule } from './auth.module.js';
import { AuthService, hashToken } from './auth.service.js';
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
    const revokedAt = Date.now();
    let refusedAfter: number | undefined;
    while (Date.now() - revokedAt < 5 * TOKEN_RECHECK_MS) {
      const refused = await auth.userIdFor(bearer, ADDRESS).then(
        () => false,
        (error: { code?: string }) => error.code === 'UNAUTHORIZED',
      );
      if (refused) {
        refusedAfter = Date.now() - revokedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(refusedAfter).toBeDefined();
    expect(refusedAfter!).toBeLessThanOrEqual(2 * TOKEN_RECHECK_MS);
  });

  it('keeps the tokens that still exist in the cache', async () => {
    const kept = await services.get(UsersService).create(uniqueHandle('kept'), undefined);
    expect(await auth.userIdFor(`Bearer ${kept.token}`, ADDRESS)).toBe(kept.id);
    const cache = services.get(TokenCache);
    await cache.recheck();
    expect(cache.get(hashToken(kept.token))).toBe(kept.id);
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
