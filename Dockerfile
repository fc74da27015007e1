# syntax=docker/dockerfile:1
# fanout-lab: one image for the API, the worker and the migration runner.
#   build    all dependencies (dev included), the sources and dist/: the `test` compose service runs here
#   runtime  production dependencies, dist/, prisma/ and package.json only
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
# Dependencies first, so editing the sources does not reinstall them. No dependency needs its install
# script (the Prisma client runs without native engines), so none is run.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
# `prisma generate` (offline-safe, see scripts/prisma-generate.mjs) then `tsc -p tsconfig.build.json` into dist/.
RUN npm run build

# The build needs dev dependencies; the runtime image gets the same tree pruned to production ones.
FROM build AS prod-deps
RUN npm prune --omit=dev --ignore-scripts

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Migrations are read at run time from prisma/migrations (relative to dist/libs/db).
COPY --from=build /app/prisma ./prisma
# package.json carries "type": "module" and the `#libs/*` import map that dist/ resolves through.
COPY --from=build /app/package.json ./package.json
USER node
ENV PORT=3000
EXPOSE 3000
# Worker: node dist/apps/worker/src/main.js; migrations: node dist/libs/db/migrate.cli.js
CMD ["node", "dist/apps/api/src/main.js"]
