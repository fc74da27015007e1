import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import {
  DEFAULT_SHARDS,
  decodeMailboxRead,
  DELETED_POST,
  groupByHashTag,
  READ,
  READ_KEYS,
  RedisKeys,
} from '#libs/contract';

// The ceiling: the least a server can do to answer a push read. A bare node:http server that does the push read's
// Redis work exactly as the product does it (the mailbox READ script and its decoding, then one MGET per slot of the
// page's posts), with tokens
// resolved from an in-memory map instead of a database. Whatever the product spends beyond this is framework,
// validation, auth and logic. The bench runs both in the same run and reports the ratio.

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3999' },
    host: { type: 'string', default: '127.0.0.1' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    'redis-prefix': { type: 'string', default: 'fl' },
    'redis-shards': { type: 'string', default: String(DEFAULT_SHARDS) },
    credentials: { type: 'string' },
    epoch: { type: 'string', default: '1' },
  },
});
if (!values.credentials) throw new Error('--credentials is required');

const credentials = JSON.parse(await readFile(values.credentials, 'utf8')) as {
  users: { id: string; token: string }[];
};
const userByToken = new Map(credentials.users.map((u) => [u.token, u.id]));
const keys = new RedisKeys(values['redis-prefix'], Number(values['redis-shards']));
const redis = new Redis(values['redis-url'], { enableAutoPipelining: true });
redis.defineCommand('readMailbox', { lua: READ, numberOfKeys: READ_KEYS });
const epoch = values.epoch;

type WithRead = Redis & { readMailbox(...args: (string | number)[]): Promise<unknown> };

class InvalidMailbox extends Error {}
class CacheMiss extends Error {}

/** The push read: the mailbox READ script, then the page's posts, one MGET per slot, re-serialized. */
async function timeline(userId: string, limit: number): Promise<string> {
  const reply = await (redis as WithRead).readMailbox(
    keys.mailbox(userId),
    keys.mailboxState(userId),
    keys.following(userId),
    keys.pullFollowees(userId),
    keys.requestCounter(userId),
    keys.authorVersions(userId),
    epoch,
    '',
    limit,
    userId,
    // Not counted: the ceiling has no rate limit (the product's adds an INCR and a PTTL to this script, nothing more).
    0,
    0,
    // No celebrity versions: a push read merges no pull-mode authors.
    '0',
  );
  const read = decodeMailboxRead(reply, null, limit);
  // The product would fall back to PostgreSQL; the ceiling refuses, so a stale epoch shows up as errors.
  if (!read.valid) throw new InvalidMailbox();
  const ids = read.entries.slice(0, limit).map((entry) => entry.postId);
  const found = new Map<string, string | null>();
  await Promise.all(
    groupByHashTag(ids, (id) => keys.post(id)).map(async (group) => {
      const values = await redis.mget(group.map((id) => keys.post(id)));
      group.forEach((id, i) => found.set(id, values[i]!));
    }),
  );
  const values = ids.map((id) => found.get(id) ?? null);
  // The product would read a post missing from the cache from PostgreSQL; the ceiling counts it as an error instead,
  // so a comparison made on a cold cache shows.
  if (values.some((value) => value === null)) throw new CacheMiss();
  const items = values.flatMap((value) => (value === DELETED_POST ? [] : [JSON.parse(value!)]));
  const last = items[items.length - 1];
  return JSON.stringify({
    items,
    nextCursor: items.length === limit && last ? last.id : null,
    strategy: 'push',
    source: 'mailbox',
  });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/health/live') return void res.end('{"status":"ok"}');
  const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  const userId = token && userByToken.get(token);
  if (url.pathname !== '/v1/me/timeline' || !userId) {
    res.statusCode = userId ? 404 : 401;
    return void res.end();
  }
  timeline(userId, Number(url.searchParams.get('limit') ?? 20)).then(
    (body) => {
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(body);
    },
    (error) => {
      res.statusCode = error instanceof InvalidMailbox ? 503 : 500;
      res.end();
    },
  );
});
server.keepAliveTimeout = 60_000;
// The bench stops it with SIGTERM: an exit of its own, not the signal's, so a run under --cpu-prof writes its profile.
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  redis.disconnect();
  process.exit(0);
});
server.listen(Number(values.port), values.host, () =>
  console.log(`ceiling listening on ${values.host}:${values.port}`),
);
