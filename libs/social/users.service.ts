import { Injectable } from '@nestjs/common';
import { AuthService } from '#libs/auth';
import { PrismaService } from '#libs/db';
import { ConflictError, NotFoundError, ValidationFailedError } from '#libs/errors';
import { FlagsService, isCelebrity } from '#libs/flags';
import { encodeCursor, decodeCursor, type Page } from '#libs/paging';
import { UsersRepository, type UserListRow, type UserRow } from './users.repository.js';

export interface Profile {
  id: string;
  handle: string;
  displayName: string;
  followersCount: number;
  followingCount: number;
  postsCount: number;
  celebrity: boolean;
  createdAt: string;
}

export interface UserSummary {
  id: string;
  handle: string;
  displayName: string;
  followedAt: string;
}

@Injectable()
export class UsersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly users: UsersRepository,
    private readonly auth: AuthService,
    private readonly flags: FlagsService,
  ) {}

  async create(handle: string, displayName: string | undefined) {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const user = await this.users.insert(tx, handle, displayName ?? handle);
        const token = await this.auth.issue(tx, user.id);
        return { id: user.id.toString(), handle: user.handle, displayName: user.displayName, token };
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') {
        throw new ConflictError(`The handle "${handle}" is taken.`);
      }
      throw error;
    }
  }

  async profile(id: string): Promise<Profile> {
    const user = await this.users.find(id);
    if (!user) throw new NotFoundError(`No user with id ${id}.`);
    return this.toProfile(user);
  }

  async requireExists(id: string): Promise<void> {
    if (!(await this.users.exists(id))) throw new NotFoundError(`No user with id ${id}.`);
  }

  async followers(id: string, cursor: string | undefined, limit: number): Promise<Page<UserSummary>> {
    await this.requireExists(id);
    return this.page(await this.users.followers(id, afterOf(cursor), limit), limit);
  }

  async following(id: string, cursor: string | undefined, limit: number): Promise<Page<UserSummary>> {
    await this.requireExists(id);
    return this.page(await this.users.following(id, afterOf(cursor), limit), limit);
  }

  private page(rows: UserListRow[], limit: number): Page<UserSummary> {
    const last = rows[rows.length - 1];
    return {
      items: rows.map((r) => ({
        id: r.id.toString(),
        handle: r.handle,
        displayName: r.displayName,
        followedAt: r.followedAt.toISOString(),
      })),
      nextCursor: rows.length === limit && last ? encodeCursor([last.followedAt.getTime(), last.id.toString()]) : null,
    };
  }

  private toProfile(user: UserRow): Profile {
    return {
      id: user.id.toString(),
      handle: user.handle,
      displayName: user.displayName,
      followersCount: user.followersCount,
      followingCount: user.followingCount,
      postsCount: user.postsCount,
      celebrity: isCelebrity(this.flags.current().flags, user.followersCount),
      createdAt: user.createdAt.toISOString(),
    };
  }
}

function afterOf(cursor: string | undefined): [Date, bigint] | null {
  if (cursor === undefined) return null;
  const [at, id] = decodeCursor(cursor, 2);
  const followedAt = new Date(Number(at));
  if (Number.isNaN(followedAt.getTime())) {
    throw new ValidationFailedError(
      'cursor is not valid: pass back a nextCursor from a previous page.',
      'INVALID_CURSOR',
    );
  }
  return [followedAt, BigInt(id!)];
}
