import { Body, Controller, Get, HttpCode, Patch, Post, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { AdminGuard } from '#libs/auth';
import { FlagsService, type FlagsSnapshot } from '#libs/flags';
import { FanoutQueue } from '#libs/jobs';
import { FanoutStatusService } from '#libs/outbox';
import { PatchFlagsDto } from './api.dto.js';
import { ZodPipe } from './zod.pipe.js';

@Controller('v1/admin')
@UseGuards(AdminGuard)
export class AdminController {
  constructor(
    private readonly flags: FlagsService,
    private readonly status: FanoutStatusService,
    private readonly queue: FanoutQueue,
  ) {}

  @Get('config')
  config() {
    return view(this.flags.current());
  }

  @Patch('config')
  async update(@Body(new ZodPipe(PatchFlagsDto)) patch: z.infer<typeof PatchFlagsDto>) {
    return view(await this.flags.update(patch));
  }

  @Get('fanout')
  fanout() {
    return this.status.status();
  }

  @Post('mailboxes/rebuild')
  @HttpCode(202)
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
