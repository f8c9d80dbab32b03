// Helpers for the health and metrics suites: a server that accepts and never answers,
// Prometheus sample lookup, and the real services of this machine.
import { createServer } from 'node:net';
import { parseProm } from './prom.mjs';

export const PG_PASSWORD = 'pw-s3cret-4711';
export const REAL_DATABASE_URL = `postgres://postgres:${PG_PASSWORD}@127.0.0.1:5432/test`;
export const REAL_REDIS_URL = 'redis://127.0.0.1:6379';

/** A TCP server that accepts connections and never writes a byte. */
export async function silentServer() {
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.resume(); // read and discard, so the peer closing is seen
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    connections: () => sockets.size,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(resolve);
    }),
  };
}

/** The value of the first sample named `name` whose labels include `labels`. */
export function promSample(text, name, labels = {}) {
  return parseProm(text).find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** Polls fn until it returns a truthy value (or fails after ms). */
export async function eventually(fn, ms = 5000, step = 100) {
  const until = Date.now() + ms;
  let last;
  while (Date.now() < until) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, step));
  }
  throw new Error(`condition not met within ${ms} ms (last: ${JSON.stringify(last)})`);
}

/**
 * Detailed health is ok, or degraded only by the machine's load (system/process warn:
 * other suites share these two cores), never by a component.
 */
export function assertHealthy(json, assert) {
  const others = Object.entries(json.checks).filter(([, c]) => c.status !== 'ok' && c.status !== 'not_configured');
  for (const [name, c] of others) assert.ok((name === 'system' || name === 'process') && c.status === 'warn', `${name}: ${JSON.stringify(c)}`);
  assert.equal(json.status, others.length ? 'degraded' : 'ok');
}
