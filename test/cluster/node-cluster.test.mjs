// A Node cluster app under --require otelkit/register: the primary holds the admin port and
// answers for every worker. Asserted on what a scraper sees: /metrics text and served JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, freePort, REGISTER_CJS, ROOT } from '../helpers/app.mjs';
import { parseProm } from '../helpers/prom.mjs';
import { eventually, getJson, spawnGroup } from './helpers.mjs';

async function startCluster(workers, env = {}) {
  const [port, admin] = [await freePort(), await freePort()];
  const run = spawnGroup(process.execPath, ['--require', REGISTER_CJS, fixture('cluster-app.js')], {
    env: { WORKERS: String(workers), PORT: String(port), OTELKIT_ADMIN_PORT: String(admin), OTEL_EXPORTER_PROMETHEUS_PORT: String(admin), OTELKIT_API: `${ROOT}dist/src/index.js`, ...env },
  });
  try {
    await run.waitFor(/LISTENING \d+/);
    const adminUrl = `http://127.0.0.1:${admin}`;
    // Every worker has joined the primary once the service view lists them.
    await eventually(async () => (await getJson(`${adminUrl}/api/metrics`)).json.cluster?.processes === workers + 1, 10_000, 'workers joining');
    return { run, app: `http://127.0.0.1:${port}`, admin: adminUrl, workerPids: [...run.output().matchAll(/WORKER (\d+)/g)].map((m) => Number(m[1])) };
  } catch (err) {
    await run.stop();
    throw err;
  }
}

/** n requests, each on a new connection (the primary deals connections to workers in turn). */
async function hit(url, n, expected = 200) {
  for (let i = 0; i < n; i++) {
    const status = await new Promise((resolve, reject) => {
      get(url, { agent: false }, (res) => res.resume().on('end', () => resolve(res.statusCode))).on('error', reject);
    });
    assert.equal(status, expected);
  }
}

const requestCount = (text) => parseProm(text).filter((s) => s.name === 'http_server_request_duration_seconds_count').reduce((a, s) => a + s.value, 0);
const infBucket = (text) => parseProm(text).filter((s) => s.name === 'http_server_request_duration_seconds_bucket' && s.labels.le === '+Inf').reduce((a, s) => a + s.value, 0);
const serverCalls = (apm) => apm.operations.filter((o) => o.kind === 'server').reduce((a, o) => a + o.count, 0);

test('2 workers, 60 requests: every one of three scrapes reports 60 on /api/metrics, /metrics and APM', async () => {
  const c = await startCluster(2);
  try {
    await hit(`${c.app}/`, 60);
    for (let scrape = 0; scrape < 3; scrape++) {
      const metrics = (await getJson(`${c.admin}/api/metrics`)).json;
      assert.equal(metrics.application.requests_total, 60, JSON.stringify(metrics));
      assert.deepEqual(metrics.application.requests_by_status, { 200: 60 });
      assert.deepEqual(metrics.cluster, { processes: 3, answered: 3, missing: [], departed_processes: 0 }, JSON.stringify(metrics.cluster));
      const text = await (await fetch(`${c.admin}/metrics`)).text();
      assert.equal(requestCount(text), 60, text);
      assert.equal(infBucket(text), 60, 'histogram buckets are summed');
      assert.equal(serverCalls((await getJson(`${c.admin}/api/performance/apm/stats`)).json), 60);
    }
    // Both workers served, and each one's own view adds up to the service's.
    const own = await Promise.all(c.workerPids.map(async (pid) => (await getJson(`${c.admin}/api/metrics?process=${pid}`)).json));
    assert.ok(own.every((m) => m.application.requests_total > 0), `both workers served: ${JSON.stringify(own.map((m) => m.application))}`);
    assert.equal(own.reduce((a, m) => a + m.application.requests_total, 0), 60);
    assert.deepEqual(own.map((m) => m.process.pid).sort(), [...c.workerPids].sort());
    const text = await (await fetch(`${c.admin}/metrics?process=${c.workerPids[0]}`)).text();
    assert.equal(requestCount(text), own[0].application.requests_total);
    // Gauges are per process; the whole service's process figures are listed.
    const uptimes = parseProm(await (await fetch(`${c.admin}/metrics`)).text()).filter((s) => s.name === 'process_uptime_seconds');
    assert.equal(new Set(uptimes.map((s) => s.labels.process_pid)).size, 3);
    const health = (await getJson(`${c.admin}/api/health/detailed`)).json;
    assert.deepEqual(health.processes.map((p) => p.pid).sort(), [...c.workerPids, c.run.child.pid].sort());
    assert.ok(health.processes.every((p) => p.rss_bytes > 0));
    assert.equal((await getJson(`${c.admin}/api/metrics?process=424242`)).status, 404);
    assert.doesNotMatch(c.run.output(), /EADDRINUSE|not served/);
  } finally {
    await c.run.stop();
  }
});

test('slow queries come from every worker, newest first; DELETE clears them in every worker', async () => {
  const c = await startCluster(2);
  try {
    await hit(`${c.app}/query`, 12);
    const slow = (await getJson(`${c.admin}/api/performance/slow-queries?limit=100`)).json;
    assert.equal(slow.queries.length, 12);
    const times = slow.queries.map((q) => q.timestamp);
    assert.deepEqual(times, [...times].sort().reverse());
    const stats = (await getJson(`${c.admin}/api/performance/slow-queries/stats`)).json;
    assert.equal(stats.total, 12);
    assert.equal(stats.by_fingerprint.reduce((a, s) => a + s.count, 0), 12);
    assert.equal(stats.by_fingerprint.length, 2, 'each worker queries its own table');
    assert.equal((await fetch(`${c.admin}/api/performance/slow-queries`, { method: 'DELETE' })).status, 204);
    await eventually(async () => (await getJson(`${c.admin}/api/performance/slow-queries`)).json.queries.length === 0, 3000, 'cleared everywhere');
  } finally {
    await c.run.stop();
  }
});

test('a killed worker never makes the totals go backwards; its replacement adds to them', async () => {
  const c = await startCluster(2, { RESPAWN: '1' });
  try {
    await hit(`${c.app}/`, 40);
    const before = (await getJson(`${c.admin}/api/metrics`)).json.application.requests_total;
    assert.equal(before, 40);
    process.kill(c.workerPids[0], 'SIGKILL');
    await c.run.waitFor(new RegExp(`EXIT ${c.workerPids[0]} SIGKILL`));
    let last = 0;
    const totals = [];
    await eventually(async () => {
      const m = (await getJson(`${c.admin}/api/metrics`)).json;
      totals.push(m.application.requests_total, requestCount(await (await fetch(`${c.admin}/metrics`)).text()));
      last = m.cluster.departed_processes;
      return m.cluster.departed_processes === 1 && m.cluster.processes === 3;
    }, 10_000, 'the dead worker departed and its replacement joined');
    assert.equal(last, 1);
    assert.ok(totals.every((n) => n === 40), `every scrape after the kill says 40: ${totals}`);
    await hit(`${c.app}/`, 20);
    const after = (await getJson(`${c.admin}/api/metrics`)).json;
    assert.equal(after.application.requests_total, 60, JSON.stringify({ after, output: c.run.output().split('\n').filter((l) => !l.startsWith('20')) }));
    assert.equal(serverCalls((await getJson(`${c.admin}/api/performance/apm/stats`)).json), 60);
    assert.match(await (await fetch(`${c.admin}/metrics`)).text(), /otelkit_cluster_departed_total\{[^}]*\} 1/);
  } finally {
    await c.run.stop();
  }
});

test('a worker that does not answer: the scrape answers within 1 s, says which, and keeps its counts', async () => {
  const c = await startCluster(2);
  try {
    await hit(`${c.app}/`, 30);
    assert.equal((await getJson(`${c.admin}/api/metrics`)).json.application.requests_total, 30);
    // Block the event loops of the workers one request at a time until one is busy for 4 s.
    const blocked = fetch(`${c.app}/block?ms=4000`).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    const m = (await getJson(`${c.admin}/api/metrics`)).json;
    const ms = performance.now() - started;
    assert.ok(ms < 1000, `answered in ${ms} ms`);
    assert.equal(m.cluster.missing.length, 1, JSON.stringify(m.cluster));
    assert.equal(m.application.requests_total, 30, 'the busy worker counts with its last figures');
    const text = await (await fetch(`${c.admin}/metrics`)).text();
    assert.match(text, /otelkit_cluster_processes\{state="missing"[^}]*\} 1/);
    assert.equal(requestCount(text), 30);
    await blocked;
  } finally {
    await c.run.stop();
  }
});

test('the channel is a Unix socket only this user can reach', async () => {
  const c = await startCluster(1);
  try {
    const dir = join(tmpdir(), `otelkit-${process.getuid()}`);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const sockets = readdirSync(dir).filter((f) => f.endsWith('.sock')).map((f) => statSync(join(dir, f)));
    assert.ok(sockets.length >= 1 && sockets.every((s) => s.isSocket() && (s.mode & 0o777) === 0o600));
  } finally {
    await c.run.stop();
  }
});

test('OTLP stays per process: each worker exports its own spans under its own service.instance.id', async () => {
  const { startReceiver } = await import('../helpers/otlp-receiver.mjs');
  const receiver = await startReceiver();
  const c = await startCluster(2, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=web' });
  try {
    await hit(`${c.app}/`, 10);
    const servers = await receiver.waitFor((s) => {
      const found = s.spans.filter((x) => x.kind === 2);
      return found.length >= 10 && found;
    });
    const byInstance = new Map();
    for (const span of servers) byInstance.set(span.resource['service.instance.id'], (byInstance.get(span.resource['service.instance.id']) ?? 0) + 1);
    assert.deepEqual([...byInstance.keys()].sort(), ['web-1', 'web-2']);
    assert.equal(servers.length, 10, 'each span exported once, by the worker that served it');
  } finally {
    await c.run.stop();
    await receiver.close();
  }
});

test('OTELKIT_MOUNT_ROUTES: /api/metrics on the app port answers for the service from whichever worker gets it', async () => {
  const c = await startCluster(2, { OTELKIT_MOUNT_ROUTES: 'true' });
  try {
    await hit(`${c.app}/`, 20);
    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push(await new Promise((resolve, reject) => {
        get(`${c.app}/api/metrics`, { agent: false }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d)).on('end', () => resolve(JSON.parse(body)));
        }).on('error', reject);
      }));
    }
    // Each mounted answer is itself a request on the app's port, counted before the next.
    assert.deepEqual(answers.map((m) => [m.application.requests_total, m.cluster.processes]), [[20, 3], [21, 3], [22, 3], [23, 3]]);
  } finally {
    await c.run.stop();
  }
});

test('recent errors: one entry per fingerprint over every worker, counts added; DELETE clears every worker', async () => {
  const c = await startCluster(2);
  try {
    await hit(`${c.app}/fail`, 6, 500);
    const { errors, cluster } = await eventually(async () => {
      const body = (await getJson(`${c.admin}/api/performance/errors`)).json;
      return body.errors.length > 0 && body.errors[0].count === 6 && body;
    }, 5000, 'six failures counted');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(cluster.answered, 3);
    const own = await Promise.all(c.workerPids.map(async (pid) => (await getJson(`${c.admin}/api/performance/errors?process=${pid}`)).json.errors[0]?.count ?? 0));
    assert.ok(own.every((n) => n > 0) && own[0] + own[1] === 6, `each worker's own: ${own}`);
    assert.equal((await fetch(`${c.admin}/api/performance/errors`, { method: 'DELETE' })).status, 204);
    await eventually(async () => (await getJson(`${c.admin}/api/performance/errors`)).json.errors.length === 0, 3000, 'cleared everywhere');
  } finally {
    await c.run.stop();
  }
});
