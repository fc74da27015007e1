import type { Type } from '@nestjs/common';
import { AdminController } from './admin.controller.js';
import { DocsController } from './docs.controller.js';
import { FollowingController } from './following.controller.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { controllerRoutes, directRouteDoc, type RouteDoc } from './openapi.routes.js';
import { PostsController } from './posts.controller.js';
import { TIMELINE_ROUTE } from './timeline.route.js';
import { UsersController } from './users.controller.js';

/** The controllers ApiModule registers, in the order the document lists their routes. */
export const API_CONTROLLERS: Type[] = [
  UsersController,
  FollowingController,
  PostsController,
  AdminController,
  HealthController,
  MetricsController,
  DocsController,
];

/** Every route the API serves, documented; a handler without @ApiDoc stops the app (and its tests) from loading. */
export const API_ROUTES: readonly RouteDoc[] = [
  ...API_CONTROLLERS.flatMap(controllerRoutes),
  directRouteDoc(TIMELINE_ROUTE),
];
