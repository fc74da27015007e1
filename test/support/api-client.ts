/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are whatever the API sent; tests assert on them */
/** A small HTTP client for the API as a user sees it: fetch, JSON, bearer tokens. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async call<T = any>(method: string, path: string, options: { token?: string; body?: unknown; raw?: string } = {}) {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | undefined;
    if (options.raw !== undefined) {
      payload = options.raw;
      headers['content-type'] = 'application/json';
    } else if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body: payload });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined } as ApiResponse<T>;
  }

  async createUser(handle: string): Promise<{ id: string; handle: string; token: string }> {
    const response = await this.call('POST', '/v1/users', { body: { handle } });
    if (response.status !== 201)
      throw new Error(`create user ${handle}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** Waits until the fan-out has nothing pending and no job queued or running. */
  async waitIdle(adminToken: string, timeoutMs = 60_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await this.call('GET', '/v1/admin/fanout', { token: adminToken });
      if (body.idle) return body;
      if (Date.now() > deadline) throw new Error(`fan-out not idle after ${timeoutMs} ms: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
