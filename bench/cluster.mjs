// Many processes: what answering for the whole service costs.
//   node bench/cluster.mjs [--requests 2000] [--scrapes 40]
// For 2 and 8 workers of test/fixtures/cluster-app.js under --require otelkit/register:
// latency of /metrics and /api/metrics scrapes on the primary (each gathers every worker),
// and the resident memory of a worker next to the same server running alone under otelkit
// after the same requests and scrapes: the memory a worker adds by taking part.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { parseArgs } from 'node:util';
import { freePort, ROOT } from './lib/proc.mjs';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, scrapes: { type: 'string', default: '40' } } });
const REQUESTS = Number(values.requests);
const SCRAPES = Number(values.scrapes);
const NODE_ARGS = ['--max-semi-space-size=16', '--expose-gc', '--require', `${ROOT}dist/register.js`];
/** Prometheus scrapes every 15 s; here one every 150 ms, under the admin server's 50 requests/s. */
const SCRAPE_GAP_MS = 150;

function start(workers, alone = false) {
  return new Promise(async (resolve, reject) => {
    const [port, admin] = [await freePort(), await freePort()];
    const env = { ...process.env, WORKERS: String(workers), PORT: String(port), OTELKIT_ADMIN_PORT: String(admin), OTEL_EXPORTER_PROMETHEUS_PORT: String(admin), OTELKIT_API: `${ROOT}dist/src/index.js`, LOG_LEVEL: 'warn', OTELKIT_ACCESS_LOG: 'false', ...(alone ? { ALONE: '1' } : {}) };
    const child = spawn(process.execPath, [...NODE_ARGS, `${ROOT}test/fixtures/cluster-app.js`], { env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (/LISTENING/.test(out)) resolve({ child, port, admin, workers: [...out.matchAll(/WORKER (\d+)/g)].map((m) => Number(m[1])) });
    });
    child.on('exit', () => reject(new Error(`cluster exited:\n${out}`)));
  });
}

const fetchText = (port, path) =>
  new Promise((resolve, reject) => get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d)).on('end', () => resolve(body));
  }).on('error', reject));

async function waitJoined(c, processes) {
  for (let i = 0; i < 200; i++) {
    try {
      if (JSON.parse(await fetchText(c.admin, '/api/metrics')).cluster?.processes === processes) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('workers did not join');
}

async function load(port, n) {
  const lanes = 8;
  await Promise.all(Array.from({ length: lanes }, async (_, lane) => {
    for (let i = lane; i < n; i += lanes) await fetchText(port, i % 10 === 0 ? '/query' : '/');
  }));
}

async function scrapeTimes(admin, path) {
  const ms = [];
  for (let i = 0; i < SCRAPES; i++) {
    const t = performance.now();
    await fetchText(admin, path);
    ms.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, SCRAPE_GAP_MS));
  }
  ms.sort((a, b) => a - b);
  const at = (q) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)];
  return { p50: at(0.5), p95: at(0.95), max: ms[ms.length - 1] };
}

const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const mb = (b) => (b / 1048576).toFixed(1);
const stop = (c) => { try { process.kill(-c.child.pid, 'SIGKILL'); } catch {} };

/** Heap in use after a full GC, averaged over `n` requests (each lands on some worker). */
async function heapAfterGc(port, pids) {
  const seen = new Map();
  for (let i = 0; i < pids.length * 6 && seen.size < pids.length; i++) {
    const m = JSON.parse(await fetchText(port, '/memory'));
    seen.set(m.rss, m.heapUsed);
  }
  const values = [...seen.values()];
  return values.reduce((a, b) => a + b, 0) / values.length;
}

const results = [];
for (const workers of [0, 2, 8]) {
  const c = await start(Math.max(1, workers), workers === 0);
  try {
    if (workers > 0) await waitJoined(c, workers + 1);
    await load(c.port, REQUESTS);
    const metrics = await scrapeTimes(c.admin, '/metrics');
    const json = await scrapeTimes(c.admin, '/api/metrics');
    const check = JSON.parse(await fetchText(c.admin, '/api/metrics'));
    await new Promise((r) => setTimeout(r, 500));
    const rss = c.workers.map(rssOf);
    const heap = await heapAfterGc(c.port, c.workers);
    results.push({ workers, metrics, json, requests: check.application.requests_total, rss: rss.reduce((a, b) => a + b, 0) / rss.length, heap, primary: workers === 0 ? null : rssOf(c.child.pid) });
  } finally {
    stop(c);
  }
}
const alone = results.find((r) => r.workers === 0);
console.log(`requests per run ${REQUESTS}, scrapes per endpoint ${SCRAPES}, node ${process.versions.node}`);
console.log('| workers | /metrics p50 / p95 / max ms | /api/metrics p50 / p95 / max ms | requests counted | worker RSS MB | worker heap after GC MB | added heap per worker MB | primary (leader) RSS MB |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const f = (s) => `${s.p50.toFixed(1)} / ${s.p95.toFixed(1)} / ${s.max.toFixed(1)}`;
  const added = r.workers === 0 ? 'reference' : mb(r.heap - alone.heap);
  console.log(`| ${r.workers === 0 ? 'alone (no cluster)' : r.workers} | ${f(r.metrics)} | ${f(r.json)} | ${r.requests} | ${mb(r.rss)} | ${mb(r.heap)} | ${added} | ${r.primary === null ? '—' : mb(r.primary)} |`);
}
