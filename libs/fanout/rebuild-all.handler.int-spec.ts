import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '#libs/db';
import { FlagsService } from '#libs/flags';
import { jobIds } from '#libs/jobs';
import { aUser, useFlags } from '../../test/factories/index.js';
import { FanoutHarness } from '../../test/support/fanout.harness.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { FanoutModule } from './fanout.module.js';

let services: Services;
let fanout: FanoutHarness;

beforeAll(async () => {
  services = await startServices([FanoutModule]);
  fanout = new FanoutHarness(services);
  await useFlags({ strategy: 'push', celebrityThreshold: 1000, mailboxSize: 800, fanoutBatchSize: 100 });
});
afterAll(async () => {
  await fanout?.close();
  await services?.close();
});

describe('rebuild every mailbox (rebuild-all)', () => {
  it('enqueues one rebuild per user for the current epoch, past the first page of 1000 users', async () => {
    await fanout.empty();
    const mine = await aUser().named('many').createMany(1001);
    const users = await services.get(PrismaService).user.count();
    const epoch = services.get(FlagsService).current().mailboxEpoch;
    const requestedAt = Date.now();
    await fanout.run('rebuild-all', { requestedAt });

    const waiting = await fanout.waitingIds('mailbox-rebuild');
    expect(waiting).toHaveLength(users);
    expect(new Set(waiting).size).toBe(users);
    for (const user of [mine[0]!, mine[1000]!]) {
      const job = await fanout.queue.queue.getJob(jobIds.rebuild(user.id, epoch, `all${requestedAt}`));
      expect(job?.data).toEqual({ userId: user.id, epoch });
    }
  });

  it('asks again under a new request, without doubling a request already queued', async () => {
    await fanout.empty();
    const users = await services.get(PrismaService).user.count();
    await fanout.run('rebuild-all', { requestedAt: 1 });
    await fanout.run('rebuild-all', { requestedAt: 1 });
    expect(await fanout.waitingIds('mailbox-rebuild')).toHaveLength(users);
    await fanout.run('rebuild-all', { requestedAt: 2 });
    expect(await fanout.waitingIds('mailbox-rebuild')).toHaveLength(2 * users);
  });
});
