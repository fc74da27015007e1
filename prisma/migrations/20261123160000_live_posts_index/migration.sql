-- Live posts by author, newest first, without their bodies: the pull query and hybrid's fallback pick a page's ids
-- from this index alone (index-only scans, no heap visit per candidate), then read the page's rows. Partial, so
-- deleted posts never take a candidate's place. schema.prisma cannot express a partial index: it is kept here, and
-- the schema test lists it explicitly (libs/db/schema.int-spec.ts).
CREATE INDEX "posts_live_author_id_id_idx" ON "posts" ("author_id", "id") WHERE "deleted_at" IS NULL;
