import { Controller, Get, HttpCode, Patch, Post, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { AdminGuard } from '#libs/auth';
import { FlagsService, type FlagsSnapshot } from '#libs/flags';
import { FanoutQueue } from '#libs/jobs';
import { FanoutStatusService } from '#libs/outbox';
import { ApiDoc, ValidBody } from './api-doc.decorators.js';
import { PatchFlagsDto } from './api.dto.js';
import { FanoutStatusResponse, FlagsResponse, RebuildResponse } from '#libs/contract';

@Controller('v1/admin')
@UseGuards(AdminGuard)
export class AdminController {
  constructor(
    private readonly flags: FlagsService,
    private readonly status: FanoutStatusService,
    private readonly queue: FanoutQueue,
  ) {}

  @Get('config')
  @ApiDoc({ tag: 'admin', summary: 'The run-time flags', returns: FlagsResponse })
  config() {
    return view(this.flags.current());
  }

  @Patch('config')
  @ApiDoc({
    tag: 'admin',
    summary:
      'Change run-time flags (strategy, celebrity threshold, mailbox size, fan-out batch size); every process follows',
    returns: FlagsResponse,
  })
  async update(@ValidBody(PatchFlagsDto) patch: z.infer<typeof PatchFlagsDto>) {
    return view(await this.flags.update(patch));
  }

  @Get('fanout')
  @ApiDoc({
    tag: 'admin',
    summary: 'Fan-out progress: accepted = delivered + pending + failed, and queue depths',
    returns: FanoutStatusResponse,
  })
  fanout() {
    return this.status.status();
  }

  @Post('mailboxes/rebuild')
  @HttpCode(202)
  @ApiDoc({ tag: 'admin', summary: 'Rebuild every mailbox from PostgreSQL (asynchronous)', returns: RebuildResponse })
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
