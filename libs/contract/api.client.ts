import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CreatedUserResponse,
  FanoutStatusResponse,
  FlagsResponse,
  PostResponse,
  RebuildResponse,
  TimelineResponse,
} from './api.responses.js';
import type { ProcessSnapshot } from './metrics.series.js';
import type { Strategy } from './timeline.strategies.js';

// The product's HTTP API as its users see it: fetch, JSON, bearer tokens. The bench drives the product only through
// it, as an operator would; the seeder warms mailboxes with it; the end-to-end tests call every route with it. `call`
// hands back whatever the API answered (tests assert on refusals too); the named calls are typed with the response
// schemas the end-to-end tests hold the API to, and throw ApiError on any answer but a success.

/** A raw answer: the body is whatever the API sent, for the caller to check (the tests parse it with the schemas). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: untyped on purpose, the caller asserts
export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export interface CallOptions {
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, as JSON's content type (a malformed body, say). */
  raw?: string;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export interface IdleOptions {
  timeoutMs?: number;
  pollMs?: number;
  /** Each status read while waiting (a long wait can show its progress). */
  onPoll?: (status: FanoutStatusResponse) => void;
}

export interface Idle {
  seconds: number;
  status: FanoutStatusResponse;
}

export class ApiClient {
  readonly baseUrl: string;

  /** `adminToken` authorizes the `/v1/admin` calls. */
  constructor(
    baseUrl: string,
    private readonly adminToken?: string,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a raw answer is the caller's to check (see ApiResponse)
  async call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.baseUrl + path, { method, headers, body: payload });
    const text = await response.text();
    try {
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    } catch {
      throw new ApiError(
        `${method} ${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`,
        response.status,
      );
    }
  }

  createUser(handle: string, displayName?: string): Promise<CreatedUserResponse> {
    return this.send('POST', '/v1/users', { body: { handle, displayName } });
  }

  post(token: string, body: string): Promise<PostResponse> {
    return this.send('POST', '/v1/posts', { token, body: { body } });
  }

  timeline(token: string, strategy: Strategy, limit: number): Promise<TimelineResponse> {
    return this.send('GET', `/v1/me/timeline?limit=${limit}&strategy=${strategy}`, { token });
  }

  config(): Promise<FlagsResponse> {
    return this.send('GET', '/v1/admin/config', { token: this.adminToken });
  }

  patchConfig(patch: Partial<Pick<FlagsResponse, 'strategy' | 'celebrityThreshold'>>): Promise<FlagsResponse> {
    return this.send('PATCH', '/v1/admin/config', { token: this.adminToken, body: patch });
  }

  fanout(): Promise<FanoutStatusResponse> {
    return this.send('GET', '/v1/admin/fanout', { token: this.adminToken });
  }

  /** Each process's cumulative snapshot: two calls give an interval, process by process (metrics.aggregate.ts). */
  async metricsSnapshots(): Promise<ProcessSnapshot[]> {
    const view = await this.send<{ snapshots: ProcessSnapshot[] }>('GET', '/v1/admin/metrics?raw=true', {
      token: this.adminToken,
    });
    return view.snapshots;
  }

  rebuildMailboxes(): Promise<RebuildResponse> {
    return this.send('POST', '/v1/admin/mailboxes/rebuild', { token: this.adminToken });
  }

  /**
   * Waits until every accepted change has reached the mailboxes and the queue is empty. Throws when a change failed
   * (it would make every later figure and timeline meaningless) or on timeout.
   */
  async waitIdle({ timeoutMs = 60_000, pollMs = 50, onPoll }: IdleOptions = {}): Promise<Idle> {
    const started = performance.now();
    for (;;) {
      // A 503 says a dependency is busy for a moment (a demotion's backfill can hold Redis): ask again, until timeoutMs.
      const status = await this.fanout().catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 503) return null;
        throw error;
      });
      if (status) {
        onPoll?.(status);
        if (status.failed > 0) {
          throw new ApiError(`fan-out failed for ${status.failed} event(s): ${JSON.stringify(status)}`, null);
        }
        if (status.idle) return { seconds: (performance.now() - started) / 1000, status };
      }
      if (performance.now() - started > timeoutMs) {
        const last = status ? JSON.stringify(status) : 'the status answered 503';
        throw new ApiError(`fan-out not idle after ${timeoutMs / 1000} s: ${last}`, null);
      }
      await sleep(pollMs);
    }
  }

  private async send<T>(method: string, path: string, options: CallOptions): Promise<T> {
    const { status, body } = await this.call<T>(method, path, options);
    if (status < 200 || status >= 300) {
      throw new ApiError(`${method} ${path}: HTTP ${status} ${JSON.stringify(body) ?? ''}`, status);
    }
    return body;
  }
}
