/** Connection options for BullMQ from a redis:// or rediss:// URL. */
export function redisOptionsFromUrl(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    // As ioredis reads a URL (the command connection's): `/7` or `?db=7`, so BullMQ's queue lands in the same database.
    db: Number(parsed.searchParams.get('db') ?? (parsed.pathname.length > 1 ? parsed.pathname.slice(1) : 0)),
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    // Back within a second of Redis (BullMQ's own default backs off to 20 s between attempts).
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
  };
}
