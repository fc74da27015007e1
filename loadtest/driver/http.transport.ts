import http from 'node:http';
import https from 'node:https';

// Two interchangeable ways to send: node:http with a keep-alive Agent, and the global fetch (Node's bundled undici).
// `http` is the default because it measured faster here (see loadtest/driver/README.md, "Driver ceiling"); `fetch`
// stays selectable to cross-check that a result is not an artefact of one client.

export interface OutRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** status 0 = network error or timeout (no HTTP status). Called exactly once per send, after the body is read. */
export type Done = (status: number) => void;

export interface Transport {
  send(req: OutRequest, done: Done): void;
  close(): Promise<void>;
}

export type TransportName = 'http' | 'fetch';

export interface TransportOptions {
  baseUrl: string;
  /** Sockets kept per origin; the driver's own maxInFlight is the real cap, so this defaults to it. */
  maxSockets: number;
  timeoutMs: number;
}

export function createTransport(name: TransportName, options: TransportOptions): Transport {
  return name === 'fetch' ? fetchTransport(options) : nodeHttpTransport(options);
}

/**
 * Several base URLs (`http://a:3100,http://a:3101`: a deployment's API processes) as one transport that sends to each
 * in turn, as a round-robin load balancer would; one URL is a plain transport.
 */
export function createTransports(name: TransportName, options: TransportOptions): Transport {
  const urls = baseUrlsOf(options.baseUrl);
  if (urls.length === 1) return createTransport(name, options);
  return roundRobin(urls.map((baseUrl) => createTransport(name, { ...options, baseUrl })));
}

/** The base URLs of a comma-separated list; throws on one that is not a URL. */
export function baseUrlsOf(list: string): string[] {
  const urls = list
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const url of urls) new URL(url);
  if (urls.length === 0) throw new TypeError('no base URL');
  return urls;
}

export function roundRobin(transports: readonly Transport[]): Transport {
  let next = 0;
  return {
    send(req, done) {
      const transport = transports[next]!;
      next = (next + 1) % transports.length;
      transport.send(req, done);
    },
    async close() {
      await Promise.all(transports.map((t) => t.close()));
    },
  };
}

export function nodeHttpTransport({ baseUrl, maxSockets, timeoutMs }: TransportOptions): Transport {
  const url = new URL(baseUrl);
  const mod = url.protocol === 'https:' ? https : http;
  const agent = new mod.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  const prefix = url.pathname.replace(/\/$/, '');
  return {
    send(req, done) {
      let finished = false;
      const finish = (status: number) => {
        if (!finished) {
          finished = true;
          done(status);
        }
      };
      const headers =
        req.body === undefined
          ? req.headers
          : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) };
      const r = mod.request(
        {
          agent,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path: prefix + req.path,
          method: req.method,
          headers,
        },
        (res) => {
          // The latency includes reading the whole body, as a client rendering the timeline would.
          res.on('end', () => finish(res.statusCode ?? 0));
          res.resume();
          res.on('error', () => finish(0));
        },
      );
      r.setTimeout(timeoutMs, () => r.destroy(new Error('timeout')));
      r.on('error', () => finish(0));
      r.end(req.body);
    },
    async close() {
      agent.destroy();
    },
  };
}

export function fetchTransport({ baseUrl, timeoutMs }: TransportOptions): Transport {
  const prefix = baseUrl.replace(/\/$/, '');
  return {
    send(req, done) {
      fetch(prefix + req.path, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: AbortSignal.timeout(timeoutMs),
      })
        .then(async (res) => {
          await res.arrayBuffer();
          return res.status;
        })
        .then(done, () => done(0));
    },
    async close() {},
  };
}
