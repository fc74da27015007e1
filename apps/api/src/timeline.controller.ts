import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { CurrentUserId, UserGuard } from '#libs/auth';
import { TimelineService } from '#libs/timeline';
import { TimelineQueryDto } from './api.dto.js';
import { ZodPipe } from './zod.pipe.js';

@Controller('v1/me/timeline')
@UseGuards(UserGuard)
export class TimelineController {
  constructor(private readonly timeline: TimelineService) {}

  @Get()
  read(@CurrentUserId() me: string, @Query(new ZodPipe(TimelineQueryDto)) query: z.infer<typeof TimelineQueryDto>) {
    return this.timeline.read(me, query.strategy, query.cursor, query.limit);
  }
}
