-- Every token row deleted (revoked, or gone with its user), recorded by a trigger whatever deletes it. API processes
-- read the recent ones once a second to drop those tokens from their caches: before, each process looked every cached
-- token up again every second (one query per 5,000 tokens), a cost that grew with the users it had seen.
CREATE TABLE "token_revocations" (
  "id" BIGSERIAL NOT NULL,
  "token_hash" BYTEA NOT NULL,
  "revoked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT "token_revocations_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "token_revocations_revoked_at_idx" ON "token_revocations" ("revoked_at");

CREATE FUNCTION "record_token_revocation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "token_revocations" ("token_hash") VALUES (OLD."token_hash");
  RETURN NULL;
END
$$;

CREATE TRIGGER "tokens_record_revocation" AFTER DELETE OR UPDATE OF "token_hash" ON "tokens"
  FOR EACH ROW EXECUTE FUNCTION "record_token_revocation"();

-- TRUNCATE fires no row trigger: it is recorded as one empty hash, which makes every process drop its whole cache
-- (a reseeded database restarts user ids, so a token cached before would name someone else's id).
CREATE FUNCTION "record_tokens_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "token_revocations" ("token_hash") VALUES ('\x'::bytea);
  RETURN NULL;
END
$$;

CREATE TRIGGER "tokens_record_truncate" AFTER TRUNCATE ON "tokens"
  FOR EACH STATEMENT EXECUTE FUNCTION "record_tokens_truncated"();
