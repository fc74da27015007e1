import { uniqueHandle } from '../support/test-config.js';
import { db, flags } from './factory.context.js';

export interface TestUser {
  id: string;
  handle: string;
}

/** `aUser().withHandle('ann').create()`, `aUser().named('fan').createMany(5)`, `aUser().inPullMode().create()`. */
export class UserBuilder {
  private handle?: string;
  private stem = 'u';
  private displayName?: string;
  private pullMode = false;

  withHandle(handle: string): this {
    this.handle = handle;
    return this;
  }

  /** Handles made unique from this stem (the default for every user: the run's files share one database). */
  named(stem: string): this {
    this.stem = stem;
    return this;
  }

  withDisplayName(displayName: string): this {
    this.displayName = displayName;
    return this;
  }

  /**
   * An author whose posts readers merge at read time. As the app does (PullModeService), the pull version counts
   * entries into pull mode and the flags version moves with it, announced so this process's snapshot knows.
   */
  inPullMode(): this {
    this.pullMode = true;
    return this;
  }

  async create(): Promise<TestUser> {
    const [user] = await this.createMany(1);
    return user!;
  }

  /** Several users in one statement, ids ascending. */
  async createMany(count: number): Promise<TestUser[]> {
    if (this.handle && count !== 1) throw new Error('withHandle() names one user; use named() for several');
    const handles = Array.from({ length: count }, () => this.handle ?? uniqueHandle(this.stem));
    const rows = await db().user.createManyAndReturn({
      data: handles.map((h) => ({
        handle: h,
        displayName: this.displayName ?? h,
        pullMode: this.pullMode,
        pullVersion: this.pullMode ? 1 : 0,
      })),
      select: { id: true, handle: true },
    });
    if (this.pullMode) await bumpFlagsVersion();
    return rows.map((r) => ({ id: r.id.toString(), handle: r.handle })).sort((a, b) => Number(a.id) - Number(b.id));
  }
}

export const aUser = () => new UserBuilder();

/** Pull-mode changes bump the flags version in the app; a factory that changes the set does the same. */
export async function bumpFlagsVersion(): Promise<void> {
  await db().runtimeFlags.update({ where: { id: 1 }, data: { version: { increment: 1 } } });
  await flags().announce();
}

/** Puts an existing author in pull mode (or takes them out) the way the app records it. */
export async function setPullMode(user: TestUser, on: boolean): Promise<number> {
  const row = await db().user.update({
    where: { id: BigInt(user.id) },
    data: on ? { pullMode: true, pullVersion: { increment: 1 } } : { pullMode: false },
    select: { pullVersion: true },
  });
  await bumpFlagsVersion();
  return row.pullVersion;
}

/** A user's counters and pull-mode state as PostgreSQL holds them now. */
export async function userRow(user: TestUser) {
  return db().user.findUniqueOrThrow({
    where: { id: BigInt(user.id) },
    select: { followersCount: true, followingCount: true, postsCount: true, pullMode: true, pullVersion: true },
  });
}
