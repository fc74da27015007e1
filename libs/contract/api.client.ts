import type { ProcessSnapshot } from './metrics.series.js';

// The bench drives the product only through its public and admin HTTP API, as an operator would.

export interface FlagsView {
  strategy: 'push' | 'pull' | 'hybrid';
  celebrityThreshold: number;
  mailboxSize: number;
  fanoutBatchSize: number;
  mailboxEpoch: number;
  version: number;
  pullModeAuthors: number;
}

export interface FanoutStatusView {
  accepted: number;
  delivered: number;
  pending: number;
  failed: number;
  ok: boolean;
  idle: boolean;
  queue: Record<string, number>;
}

export interface TimelineView {
  items: { id: string; author: { id: string } }[];
  nextCursor: string | null;
  strategy: string;
  source: 'mailbox' | 'database';
}

export class ApiError extends Error {}

export class ApiClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly adminToken: string,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  config(): Promise<FlagsView> {
    return this.call('GET', '/v1/admin/config', this.adminToken);
  }

  patchConfig(patch: Partial<Pick<FlagsView, 'strategy' | 'celebrityThreshold'>>): Promise<FlagsView> {
    return this.call('PATCH', '/v1/admin/config', this.adminToken, patch);
  }

  fanout(): Promise<FanoutStatusView> {
    return this.call('GET', '/v1/admin/fanout', this.adminToken);
  }

  async metricsSnapshots(): Promise<ProcessSnapshot[]> {
    const view = await this.call<{ snapshots: ProcessSnapshot[] }>(
      'GET',
      '/v1/admin/metrics?raw=true',
      this.adminToken,
    );
    return view.snapshots;
  }

  async rebuildMailboxes(): Promise<void> {
    await this.call('POST', '/v1/admin/mailboxes/rebuild', this.adminToken);
  }

  post(token: string, body: string): Promise<{ id: string }> {
    return this.call('POST', '/v1/posts', token, { body });
  }

  timeline(token: string, strategy: string, limit: number): Promise<TimelineView> {
    return this.call('GET', `/v1/me/timeline?limit=${limit}&strategy=${strategy}`, token);
  }

  /**
   * Waits until every accepted change has reached the mailboxes and the queue is empty; returns the seconds waited.
   * Throws when something failed (a lost change would make every later figure meaningless) or on timeout.
   */
  async waitIdle(timeoutMs = 30 * 60_000, pollMs = 200): Promise<number> {
    const started = performance.now();
    for (;;) {
      const status = await this.fanout();
      if (status.failed > 0)
        throw new ApiError(`fan-out failed for ${status.failed} event(s): ${JSON.stringify(status)}`);
      if (status.idle) return (performance.now() - started) / 1000;
      if (performance.now() - started > timeoutMs) {
        throw new ApiError(`fan-out not idle after ${timeoutMs / 1000} s: ${JSON.stringify(status)}`);
      }
      await sleep(pollMs);
    }
  }

  private async call<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new ApiError(`${method} ${path}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` over `items` with at most `concurrency` at once, keeping results in order. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>) {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return results;
}
