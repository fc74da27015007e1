/**
 * Warms mailboxes through the service's own rebuild path (the same code that repairs them in production),
 * rather than writing Redis directly: the point of the benchmark is to measure the product, not a shortcut.
 */
export interface WarmOptions {
  apiUrl: string;
  adminToken: string;
  pollMs?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

interface FanoutStatus {
  idle?: boolean;
  pending?: number;
  failed?: number;
  queue?: unknown;
}

export async function warmMailboxes(options: WarmOptions): Promise<number> {
  const { apiUrl, adminToken, pollMs = 1000, timeoutMs = 30 * 60_000, log = () => undefined } = options;
  const base = apiUrl.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${adminToken}` };
  const started = performance.now();
  const accepted = await fetch(`${base}/v1/admin/mailboxes/rebuild`, { method: 'POST', headers });
  if (accepted.status !== 202) throw new Error(`rebuild: HTTP ${accepted.status} ${await accepted.text()}`);
  for (;;) {
    // The rebuild job is queued behind the request; give it a moment to be seen as busy before trusting idle.
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const res = await fetch(`${base}/v1/admin/fanout`, { headers });
    if (!res.ok) throw new Error(`fanout status: HTTP ${res.status} ${await res.text()}`);
    const status = (await res.json()) as FanoutStatus;
    const seconds = (performance.now() - started) / 1000;
    log(
      `  warm ${seconds.toFixed(0)} s: pending ${status.pending ?? '?'}, failed ${status.failed ?? '?'}, queue ${JSON.stringify(status.queue ?? {})}`,
    );
    if (status.idle === true) return seconds;
    if (performance.now() - started > timeoutMs) throw new Error(`mailboxes not warm after ${timeoutMs / 1000} s`);
  }
}
