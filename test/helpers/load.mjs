// Load and process readings for the reliability suite: a keep-alive HTTP driver that can
// send any method Node's client accepts, percentiles, /proc readings of a child and its
// memory after a full GC.
import http from 'node:http';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Sends `count` requests with `concurrency` in flight over keep-alive sockets.
 * `request(i)` gives { method, path, headers }. Resolves with the latencies (ms) of the
 * answered requests, the status counts and the errors.
 */
export async function drive({ port, count, concurrency = 32, request }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  const statuses = new Map();
  const errors = [];
  let next = 0;
  let settled = 0;
  await new Promise((resolve) => {
    const one = () => {
      if (next >= count) {
        if (settled === count) resolve();
        return;
      }
      const i = next++;
      const { method = 'GET', path = '/', headers } = request(i);
      const t = performance.now();
      const done = () => {
        settled++;
        one();
      };
      const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - t);
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          done();
        });
      });
      req.on('error', (err) => {
        errors.push(err);
        done();
      });
      req.end();
    };
    for (let k = 0; k < Math.min(concurrency, count); k++) one();
  });
  agent.destroy();
  return { latencies, statuses, errors };
}

/** Requests at a steady pace for `ms` (not a closed loop): latencies and errors. */
export async function steady(url, ms, perSecond = 200, headers = {}) {
  const latencies = [];
  const errors = [];
  const end = Date.now() + ms;
  const inFlight = new Set();
  while (Date.now() < end) {
    const t = performance.now();
    const p = fetch(url, { headers }).then((r) => r.arrayBuffer()).then(() => latencies.push(performance.now() - t), (e) => errors.push(e));
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
    await new Promise((r) => setTimeout(r, 1000 / perSecond));
  }
  await Promise.all(inFlight);
  return { latencies, errors };
}

export function percentile(xs, q) {
  if (xs.length === 0) return NaN;
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

/** Resident set size of a process, MiB. */
export function rssMb(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

/**
 * Node arguments and environment that let `memoryAfterGc` read a child's memory: the
 * memory-probe preload and --expose-gc. Spread into startApp's nodeArgs and env.
 */
let probes = 0;
export function memoryProbe() {
  const file = join(tmpdir(), `otelkit-memory-${process.pid}-${++probes}.json`);
  return { nodeArgs: ['--expose-gc', '--require', join(import.meta.dirname, '../fixtures/memory-probe.js')], env: { MEMORY_PROBE_FILE: file }, file };
}

/** A child's process.memoryUsage() in MiB right after a full GC in it (see memoryProbe). */
export async function memoryAfterGc(child, probe) {
  rmSync(probe.file, { force: true });
  child.kill('SIGUSR2');
  for (let waited = 0; !existsSync(probe.file); waited += 20) {
    if (waited > 10_000) throw new Error('the memory probe did not answer');
    await sleep(20);
  }
  const usage = JSON.parse(readFileSync(probe.file, 'utf8'));
  rmSync(probe.file);
  return { heapMb: usage.heapUsed / 1048576, externalMb: usage.external / 1048576, rssMb: usage.rss / 1048576 };
}

/** Open file descriptors of a process. */
export function fdCount(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Every method Node's HTTP parser accepts except CONNECT (a tunnel, not a request: it goes to the server's 'connect' event). */
export const NODE_METHODS = http.METHODS.filter((m) => m !== 'CONNECT');

/** GET on a fresh connection (no keep-alive reuse racing the server's idle timeout): { status, text }. */
export function fetchFresh(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    }).on('error', reject);
  });
}
