import http from 'node:http';
import { percentile } from '../graph/graph.report.js';

export interface LoopOptions {
  baseUrl: string;
  /** Users whose timelines are read, each read by a user picked at random. */
  tokens: string[];
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  /** Called when the measured window opens and when it closes (the caller reads the server's CPU time there). */
  onWindow?: (edge: 'start' | 'end') => void;
}

export interface LoopResult {
  requests: number;
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Push timeline reads at saturation: `concurrency` clients, each sending its next read as soon as the last is
 * answered (a closed loop measures the most a server does, where the bench's open model measures latency at a given
 * rate). Reads during the warm-up are not counted.
 */
export async function closedLoop(o: LoopOptions): Promise<LoopResult> {
  const url = new URL(o.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const latencies: number[] = [];
  let requests = 0;
  let errors = 0;
  let counting = false;
  let running = true;
  const read = () =>
    new Promise<void>((done) => {
      const token = o.tokens[Math.floor(Math.random() * o.tokens.length)]!;
      const started = performance.now();
      const request = http.get(
        {
          agent,
          hostname: url.hostname,
          port: url.port,
          path: '/v1/me/timeline?limit=20&strategy=push',
          headers: { authorization: `Bearer ${token}` },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (counting) {
              requests += 1;
              if (response.statusCode !== 200) errors += 1;
              latencies.push(performance.now() - started);
            }
            done();
          });
        },
      );
      request.on('error', () => {
        if (counting) errors += 1;
        done();
      });
    });
  const client = async () => {
    while (running) await read();
  };
  const clients = Array.from({ length: o.concurrency }, client);
  await new Promise((resolve) => setTimeout(resolve, o.warmupSeconds * 1000));
  counting = true;
  o.onWindow?.('start');
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, o.seconds * 1000));
  counting = false;
  o.onWindow?.('end');
  const elapsed = (performance.now() - started) / 1000;
  running = false;
  await Promise.all(clients);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests,
    errors,
    perSecond: requests / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
