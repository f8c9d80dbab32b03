// The admin endpoints under abuse: bound to every interface, an unauthenticated DELETE
// from another address is refused and a wrong token is 401; a port already taken costs a
// warning, not the app; a storm of 200 concurrent scrapes and admin calls changes no
// state, crashes nothing and is measured against the app's latency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { fetchFresh, percentile, steady } from '../helpers/load.mjs';

const DELETES = ['/api/performance/apm', '/api/performance/slow-queries', '/api/performance/n-plus-one', '/api/performance/errors'];

/** This machine's first non-loopback IPv4 address, if it has one. */
function outsideAddress() {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return undefined;
}
const OUTSIDE = outsideAddress();
const noOutside = OUTSIDE === undefined ? 'this machine has no non-loopback IPv4 address' : false;

async function call(method, url, headers = {}) {
  const res = await fetch(url, { method, headers });
  await res.arrayBuffer();
  return res.status;
}

async function adminApp(env = {}) {
  const adminPort = await freePort();
  const app = await startApp(fixture('cjs-app.js'), {
    env: { OTELKIT_ADMIN_HOST: '0.0.0.0', OTELKIT_ADMIN_PORT: String(adminPort), OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), ...env },
  });
  return { app, adminPort, loopback: `http://127.0.0.1:${adminPort}`, outside: `http://${OUTSIDE}:${adminPort}` };
}

test('no token configured: DELETE from a non-loopback address → 403, state untouched; from loopback → 204', { skip: noOutside }, async () => {
  const { app, loopback, outside } = await adminApp();
  try {
    await get(`${app.url}/`);
    const since = (await get(`${loopback}/api/performance/apm/stats`)).json.since;
    const refused = [];
    for (const path of DELETES) refused.push(await call('DELETE', `${outside}${path}`));
    for (const path of DELETES) refused.push(await call('DELETE', `${outside}${path}`, { authorization: 'Bearer guess' }));
    assert.deepEqual([...new Set(refused)], [403]);
    // GETs stay open from anywhere (the bind address is the operator's choice).
    assert.equal((await get(`${outside}/api/performance/apm/stats`)).json.since, since, 'statistics not reset');
    assert.equal(await call('POST', `${outside}/api/performance/apm`), 405);
    assert.equal(await call('DELETE', `${outside}/api/health`), 405);
    for (const path of DELETES) assert.equal(await call('DELETE', `${loopback}${path}`), 204);
    console.log(`# admin without token, bound to 0.0.0.0, client ${OUTSIDE}: ${refused.length} DELETEs refused (403), mutations accepted 0`);
  } finally {
    await app.stop();
  }
});

test('OTELKIT_ADMIN_TOKEN set: no or wrong token → 401 from any address; the right one → 204', { skip: noOutside }, async () => {
  const token = 'rel-token-0123456789';
  const { app, loopback, outside } = await adminApp({ OTELKIT_ADMIN_TOKEN: token });
  try {
    const statuses = [];
    for (const base of [loopback, outside]) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${token}x` }, { authorization: `Basic ${token}` }, { authorization: token }]) {
        statuses.push(await call('DELETE', `${base}/api/performance/apm`, headers));
      }
    }
    assert.deepEqual([...new Set(statuses)], [401]);
    assert.equal(await call('DELETE', `${outside}/api/performance/apm`, { authorization: `Bearer ${token}` }), 204);
    console.log(`# admin with token: ${statuses.length} bad or missing tokens → 401 (loopback and ${OUTSIDE}), the right token → 204`);
  } finally {
    await app.stop();
  }
});

test('admin port already in use: one warning, the app serves, Prometheus on its own port answers', async () => {
  const taken = createServer();
  await new Promise((r) => taken.listen(0, '127.0.0.1', r));
  const promPort = await freePort();
  const app = await startApp(fixture('cjs-app.js'), {
    env: { OTELKIT_ADMIN_HOST: '127.0.0.1', OTELKIT_ADMIN_PORT: String(taken.address().port), OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort) },
  });
  try {
    for (let i = 0; i < 20; i++) assert.equal((await get(`${app.url}/`)).status, 200);
    const warnings = app.output().split('\n').filter((l) => /cannot listen/.test(l));
    assert.equal(warnings.length, 1, app.stderr());
    assert.match(warnings[0], new RegExp(`admin endpoints not served: cannot listen on 127\\.0\\.0\\.1:${taken.address().port} \\(EADDRINUSE\\)`));
    assert.equal((await get(`http://127.0.0.1:${promPort}/metrics`)).status, 200);
  } finally {
    await app.stop();
    taken.close();
  }
});

function storm(targets, ms) {
  const child = spawn(process.execPath, [fixture('scrape-storm.mjs')], {
    env: { ...process.env, TARGETS: targets.join('|'), CONCURRENCY: '200', DURATION_MS: String(ms) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  return new Promise((resolve) => child.on('exit', () => resolve(JSON.parse(out))));
}

test('200 concurrent scrapes and admin calls while the app serves: no mutation, no crash, app p99 measured', { skip: noOutside }, async () => {
  const { app, adminPort, loopback } = await adminApp();
  try {
    await steady(`${app.url}/`, 1000, 200); // warm-up
    const base = await steady(`${app.url}/`, 3000, 200);
    const since = (await get(`${loopback}/api/performance/apm/stats`)).json.since;
    const outside = `http://${OUTSIDE}:${adminPort}`;
    const targets = ['GET /metrics', 'GET /api/metrics', 'GET /api/health/detailed', 'GET /api/performance/apm/stats',
      'GET /api/performance/slow-queries', 'GET /api/performance/apm/metrics', 'DELETE /api/performance/apm', 'DELETE /api/performance/slow-queries']
      .map((t) => t.replace(' ', ` ${outside}`));
    const [counts, loaded] = await Promise.all([storm(targets, 3000), steady(`${app.url}/`, 3000, 200)]);
    assert.equal(app.child.exitCode, null, 'the app is still running');
    assert.equal(base.errors.length + loaded.errors.length, 0);
    const accepted = Object.entries(counts).filter(([k]) => k.startsWith('DELETE')).reduce((n, [, byStatus]) => n + Object.entries(byStatus)
      .filter(([status]) => status.startsWith('2')).reduce((m, [, c]) => m + c, 0), 0);
    const scrapes = Object.values(counts).reduce((n, byStatus) => n + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);
    const failed = Object.entries(counts).flatMap(([k, byStatus]) => Object.keys(byStatus).filter((s) => !['200', '403'].includes(s)).map((s) => `${k} ${s}`));
    assert.equal(accepted, 0, JSON.stringify(counts));
    assert.deepEqual(failed, [], JSON.stringify(counts));
    assert.equal(JSON.parse((await fetchFresh(`${loopback}/api/performance/apm/stats`)).text).since, since, 'statistics never reset');
    assert.doesNotMatch(app.stderr(), /Error|Unhandled/);
    const p99 = (xs) => percentile(xs, 0.99);
    console.log(`# scrape storm: ${scrapes} admin calls in 3 s at 200 concurrent (${JSON.stringify(counts)}); mutations accepted ${accepted}, crashes 0; `
      + `app at 200 req/s: p50 ${percentile(base.latencies, 0.5).toFixed(1)} → ${percentile(loaded.latencies, 0.5).toFixed(1)} ms, `
      + `p99 ${p99(base.latencies).toFixed(1)} → ${p99(loaded.latencies).toFixed(1)} ms`);
  } finally {
    await app.stop();
  }
});
