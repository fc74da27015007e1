import { Controller, Get, HttpCode, Patch, Post, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { AdminGuard } from '#libs/auth';
import { FlagsService, type FlagsSnapshot } from '#libs/flags';
import { FanoutQueue } from '#libs/jobs';
import { FanoutStatusService } from '#libs/outbox';
import { ApiDoc, ValidBody } from './api-doc.decorators.js';
import { PatchFlagsDto } from './api.dto.js';
import { FanoutStatusResponse, FlagsResponse, RebuildResponse } from '#libs/contract';
import { EXAMPLES } from './openapi.examples.js';
import { RequestId } from './request.log.js';

@Controller('v1/admin')
@UseGuards(AdminGuard)
export class AdminController {
  constructor(
    private readonly flags: FlagsService,
    private readonly status: FanoutStatusService,
    private readonly queue: FanoutQueue,
  ) {}

  @Get('config')
  @ApiDoc({
    tag: 'admin',
    summary: 'The run-time flags',
    description:
      'The flags every API and worker process runs with, as stored in PostgreSQL, with the version that ' +
      'announces changes and how many authors are read in pull mode.',
    returns: FlagsResponse,
    example: EXAMPLES.flags,
  })
  config() {
    return view(this.flags.current());
  }

  @Patch('config')
  @ApiDoc({
    tag: 'admin',
    summary:
      'Change run-time flags (strategy, celebrity threshold, mailbox size, fan-out batch size); every process follows',
    description:
      'Send only the flags to change. Every process picks the change up within FLAGS_POLL_MS (at once through ' +
      'Redis pub/sub); a flag set in the environment is applied again when an API process starts. The answer is ' +
      'the flags after the change.',
    returns: FlagsResponse,
    example: EXAMPLES.flags,
    requestBody: {
      description:
        'At least one of `strategy` (push, pull, hybrid), `celebrityThreshold` (1 to 1,000,000,000), ' +
        '`mailboxSize` (10 to 100,000) and `fanoutBatchSize` (10 to 100,000).',
      example: { strategy: 'push', celebrityThreshold: 50 },
    },
  })
  async update(@ValidBody(PatchFlagsDto) patch: z.infer<typeof PatchFlagsDto>, @RequestId() requestId: string) {
    return view(await this.flags.update(patch, requestId));
  }

  @Get('fanout')
  @ApiDoc({
    tag: 'admin',
    summary: 'Fan-out progress: accepted = delivered + pending + failed, and queue depths',
    description:
      'Counts of fan-out events (posts, deletes, follows, unfollows, flag changes) from the outbox, in all and by ' +
      'type, and the BullMQ queue by job state. `idle` means every accepted change has reached the mailboxes.',
    returns: FanoutStatusResponse,
    example: EXAMPLES.fanout,
  })
  fanout() {
    return this.status.status();
  }

  @Post('mailboxes/rebuild')
  @HttpCode(202)
  @ApiDoc({
    tag: 'admin',
    summary: 'Rebuild every mailbox from PostgreSQL (asynchronous)',
    description:
      "Queues a job that rewrites every user's mailbox from PostgreSQL (after a Redis loss, say) and answers at " +
      'once; GET /v1/admin/fanout shows when the queue is idle again. Meanwhile a timeline whose mailbox is being ' +
      'rebuilt is read from PostgreSQL.',
    returns: RebuildResponse,
    example: EXAMPLES.rebuild,
  })
  async rebuild() {
    const requestedAt = Date.now();
    await this.queue.requestRebuildAll(requestedAt);
    return { accepted: true, requestedAt: new Date(requestedAt).toISOString() };
  }
}

function view(snapshot: FlagsSnapshot) {
  return {
    ...snapshot.flags,
    mailboxEpoch: snapshot.mailboxEpoch,
    version: snapshot.version,
    pullModeAuthors: snapshot.pullAuthors.size,
  };
}
