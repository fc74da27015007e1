import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService } from '#libs/auth';
import { aUser, follow, followersOf, useFlags } from '../../test/factories/index.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { uniqueHandle } from '../../test/support/test-config.js';
import { SocialModule } from './social.module.js';
import { UsersService } from './users.service.js';

let services: Services;
let users: UsersService;

beforeAll(async () => {
  services = await startServices([SocialModule]);
  users = services.get(UsersService);
});
afterAll(() => services?.close());

describe('UsersService', () => {
  it('creates a user with a token that authenticates them; a taken handle is a CONFLICT', async () => {
    const handle = uniqueHandle('new');
    const created = await users.create(handle, undefined);
    expect(created).toMatchObject({ handle, displayName: handle });
    expect(await services.get(AuthService).userIdFor(`Bearer ${created.token}`, '192.0.2.1')).toBe(created.id);
    await expect(users.create(handle, 'again')).rejects.toMatchObject({ status: 409, code: 'CONFLICT' });
  });

  it('shows counters in the profile, and celebrity from the current threshold', async () => {
    await useFlags({ celebrityThreshold: 2 });
    const [star, fan] = await aUser().createMany(2);
    await followersOf(star!).are(await aUser().createMany(2));
    await follow(fan!).of(star!);
    expect(await users.profile(star!.id)).toMatchObject({ followersCount: 3, followingCount: 0, celebrity: true });
    expect(await users.profile(fan!.id)).toMatchObject({ followersCount: 0, followingCount: 1, celebrity: false });
    await expect(users.profile('876543210')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('pages followers and following, most recent follow first, without gaps or repeats', async () => {
    const star = await aUser().create();
    const fans = await aUser().createMany(5);
    for (const fan of fans) await follow(fan).of(star);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await users.followers(star.id, cursor, 2);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(fans.map((f) => f.id).reverse());
    expect((await users.following(fans[0]!.id, undefined, 10)).items.map((i) => i.id)).toEqual([star.id]);
    await expect(users.followers(star.id, 'not-a-cursor', 2)).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });
});
