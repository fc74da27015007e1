import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PrismaService } from '#libs/db';
import { flagsRow, useFlags } from '../../test/factories/index.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { FlagsModule } from './flags.module.js';
import { FlagsService } from './flags.service.js';

let services: Services;
let other: Services;
let flags: FlagsService;

beforeAll(async () => {
  services = await startServices([FlagsModule]);
  // A second process of the same deployment (same Redis prefix), to see changes reach it.
  other = await startServices([FlagsModule], { config: services.config, factories: false });
  flags = services.get(FlagsService);
});
afterAll(async () => {
  await other?.close();
  await services?.close();
});
beforeEach(() => useFlags({ strategy: 'push', celebrityThreshold: 1000, mailboxSize: 800, fanoutBatchSize: 500 }));

const flagsEvents = async (after: bigint) =>
  services.get(PrismaService).outboxEvent.findMany({ where: { id: { gt: after }, type: 'flags.changed' } });
const lastEventId = async () =>
  (await services.get(PrismaService).outboxEvent.aggregate({ _max: { id: true } }))._max.id ?? 0n;

describe('FlagsService.update', () => {
  it('writes the flags with a new version and a flags.changed event, and reloads its snapshot', async () => {
    const before = await flagsRow();
    const since = await lastEventId();
    const snapshot = await flags.update({ celebrityThreshold: 7, mailboxSize: 300 });

    const after = await flagsRow();
    expect(after).toMatchObject({ celebrityThreshold: 7, mailboxSize: 300, strategy: 'push', fanoutBatchSize: 500 });
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.mailboxEpoch).toBe(before.mailboxEpoch);
    expect(snapshot).toMatchObject({ version: after.version, flags: { celebrityThreshold: 7, mailboxSize: 300 } });
    const events = await flagsEvents(since);
    expect(events.map((e) => e.payload)).toEqual([{ version: after.version }]);
  });

  it('starts a new mailbox epoch when the strategy enters or leaves pull, and only then', async () => {
    const epoch = (await flagsRow()).mailboxEpoch;
    await flags.update({ strategy: 'hybrid' });
    expect((await flagsRow()).mailboxEpoch).toBe(epoch);
    await flags.update({ strategy: 'pull' });
    expect((await flagsRow()).mailboxEpoch).toBe(epoch + 1);
    await flags.update({ strategy: 'pull' });
    expect((await flagsRow()).mailboxEpoch).toBe(epoch + 1);
    await flags.update({ strategy: 'push' });
    expect((await flagsRow()).mailboxEpoch).toBe(epoch + 2);
    expect(flags.current().mailboxEpoch).toBe(epoch + 2);
  });

  it('reaches every other process of the deployment', async () => {
    const snapshot = await flags.update({ celebrityThreshold: 42 });
    const elsewhere = other.get(FlagsService);
    await vi.waitFor(() => expect(elsewhere.current().version).toBe(snapshot.version));
    expect(elsewhere.current().flags.celebrityThreshold).toBe(42);
  });

  it('applies flags set in the environment when they differ from the stored ones', async () => {
    const started = await startServices([FlagsModule], {
      env: { TIMELINE_STRATEGY: 'hybrid', CELEBRITY_THRESHOLD: '9' },
      factories: false,
    });
    try {
      const since = await lastEventId();
      await started.get(FlagsService).applyEnvironment();
      expect(await flagsRow()).toMatchObject({ strategy: 'hybrid', celebrityThreshold: 9, mailboxSize: 800 });
      await started.get(FlagsService).applyEnvironment();
      expect(await flagsEvents(since)).toHaveLength(1);
    } finally {
      await started.close();
    }
  });
});
