-- The request that wrote an event (its X-Request-Id): the relay puts it on the event's job, and the jobs that job adds
-- inherit it, so the fan-out lines of a post can be found by the id its request was answered with. Nullable: events
-- written outside a request (the relay, admin jobs) and every row before this have none.
ALTER TABLE "outbox" ADD COLUMN "request_id" VARCHAR(128);
