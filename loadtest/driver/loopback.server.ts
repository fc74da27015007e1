#!/usr/bin/env node
import http from 'node:http';
import { parseArgs } from 'node:util';

// A server that answers every request with 200 {} and nothing else, to measure the driver's own ceiling:
//   node dist/loadtest/driver/loopback.server.js --port 3999 --seconds 120
// It binds 127.0.0.1 only and exits by itself after --seconds, so a forgotten one never lingers.

const { values } = parseArgs({
  options: { port: { type: 'string', default: '3999' }, seconds: { type: 'string', default: '120' } },
});
const seconds = Math.min(Number(values.seconds), 3600);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
    res.end('{}');
  });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  console.error(`loopback server on http://127.0.0.1:${values.port} for ${seconds}s`);
});
setTimeout(() => {
  server.close();
  server.closeAllConnections();
}, seconds * 1000).unref();
// unref above lets the process end when the server closes; this bound ends it even with open connections.
setTimeout(() => process.exit(0), seconds * 1000 + 2000);
