import { ApiClient } from '#libs/contract';
import { drainProgress } from '../progress/progress.meter.js';

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

/** Returns the seconds from the rebuild request until the fan-out was idle again. */
export async function warmMailboxes(options: WarmOptions): Promise<number> {
  const { apiUrl, adminToken, pollMs = 1000, timeoutMs = 30 * 60_000, log = () => undefined } = options;
  const api = new ApiClient(apiUrl, adminToken);
  const started = performance.now();
  await api.rebuildMailboxes();
  await api.waitIdle({
    timeoutMs,
    pollMs,
    onPoll: drainProgress('  rebuilding every mailbox', log),
  });
  return (performance.now() - started) / 1000;
}
