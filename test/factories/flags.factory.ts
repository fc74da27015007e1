import type { TimelineFlags } from '#libs/config';
import { db, flags } from './factory.context.js';

/**
 * Sets the run-time flags directly (no outbox event, no epoch change unless asked), then reloads this process's
 * snapshot. Every file of a run shares one database, hence one flags row: a file states the flags it relies on.
 * FlagsService.update is the product path; it has its own tests.
 */
export async function useFlags(patch: Partial<TimelineFlags> & { mailboxEpoch?: number }): Promise<void> {
  await db().runtimeFlags.update({ where: { id: 1 }, data: { ...patch, version: { increment: 1 } } });
  await flags().announce();
}

/** The flags row as PostgreSQL holds it now. */
export async function flagsRow() {
  return db().runtimeFlags.findUniqueOrThrow({ where: { id: 1 } });
}
