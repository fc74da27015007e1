-- A client that retries a post it got no answer for (a timeout, a 503 while PostgreSQL was frozen: the statement may
-- still have committed) sends the same Idempotency-Key and gets the post made the first time, not a second one.
-- NULLs are distinct in a unique index, so posts made without a key never conflict.
ALTER TABLE "posts" ADD COLUMN "idempotency_key" VARCHAR(100);
CREATE UNIQUE INDEX "posts_author_id_idempotency_key_key" ON "posts"("author_id", "idempotency_key");
