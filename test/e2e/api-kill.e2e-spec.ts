import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startProduct, type Service } from '#libs/contract';
import { freePort } from '../support/processes.js';
import { pageIds, readFromMailbox } from '../support/timeline.reader.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// The API SIGKILLed while clients post: a post whose answer never came may or may not have been committed, so the
// clients retry with the same Idempotency-Key once an API is back. Every post ends up exactly once, delivered.

const env = envOf(testConfig(), { TIMELINE_STRATEGY: 'push' });
const started: Service[] = [];
let port: number;
let api: ApiClient;

async function startApi(): Promise<Service> {
  const service = await startProduct('api', { ...env, PORT: String(port), HOST: '127.0.0.1' });
  started.push(service);
  return service;
}

beforeAll(async () => {
  port = await freePort();
  await startApi();
  started.push(await startProduct('worker', env));
  api = new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN);
});
afterAll(async () => Promise.all(started.map((s) => s.stop('SIGKILL'))));

async function post(token: string, body: string, key: string): Promise<{ status: number; id?: string } | null> {
  try {
    const response = await fetch(`${api.baseUrl}/v1/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ body }),
    });
    const answer = (await response.json()) as { id?: string };
    return { status: response.status, id: answer.id };
  } catch {
    return null; // no answer: the connection was cut
  }
}

describe('the API killed under writes', () => {
  it('loses no post a client was told of, and doubles none a client retried', async () => {
    const author = await api.createUser(uniqueHandle('author'));
    const fan = await api.createUser(uniqueHandle('fan'));
    await api.call('PUT', `/v1/me/following/${author.id}`, { token: fan.token });
    await readFromMailbox(api, fan.token);

    // Four clients post back to back; each remembers what it sent and what it heard.
    const sent: { key: string; body: string; id?: string }[] = [];
    let killed = false;
    const clients = [0, 1, 2, 3].map(async (c) => {
      for (let i = 0; !killed; i++) {
        const attempt = { key: `kill-${author.id}-${c}-${i}`, body: `client ${c} post ${i}` };
        sent.push(attempt);
        const answer = await post(author.token, attempt.body, attempt.key);
        if (answer?.status === 201) Object.assign(attempt, { id: answer.id });
        if (answer === null) return;
      }
    });
    // Killed once more than ten posts were acknowledged, with more in flight (a fixed 400 ms saw only 9 on a loaded CI).
    const acknowledged = () => sent.filter((s) => s.id).length;
    for (const until = Date.now() + 10_000; acknowledged() <= 10 && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    killed = true;
    await started[0]!.stop('SIGKILL');
    await Promise.all(clients);
    expect(acknowledged()).toBeGreaterThan(10);

    await startApi();
    // Every attempt again with its key: an answered one gets the same post, an unanswered one its post, once.
    for (const attempt of sent) {
      const answer = await post(author.token, attempt.body, attempt.key);
      expect(answer?.status).toBe(201);
      if (attempt.id) expect(answer!.id).toBe(attempt.id);
      attempt.id = answer!.id;
    }
    const { status } = await api.waitIdle({ timeoutMs: 60_000 });
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    const stored: string[] = [];
    for (let cursor = ''; ;) {
      const page = (await api.call('GET', `/v1/users/${author.id}/posts?limit=100${cursor}`)).body;
      stored.push(...pageIds(page));
      if (!page.nextCursor) break;
      cursor = `&cursor=${page.nextCursor}`;
    }
    expect(stored.sort()).toEqual(sent.map((s) => s.id!).sort());
    const expected = sent
      .map((s) => s.id!)
      .sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1))
      .slice(0, 20);
    expect(pageIds(await readFromMailbox(api, fan.token, 'strategy=push&limit=20'))).toEqual(expected);
  });
});
